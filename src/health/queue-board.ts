import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import { All, Controller, Module, Next, OnModuleInit, Req, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { Staff } from '../auth/access.decorator';
import { QueueName } from '../queue/queue.registry';

/** Where the board is served. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * The Content-Security-Policy of the board's pages: its own scripts, styles and icons only. Its
 * stylesheet and the loading screen use inline styles ('unsafe-inline' for styles alone: they can
 * neither run code nor fetch anything here, since every fetch is limited to this origin); its web
 * font link to fonts.googleapis.com is refused, so the board uses the system font.
 */
export const QUEUE_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Handler = (req: Request, res: Response, next: NextFunction) => void;

/**
 * Bull Board (the queues' health: counts, waiting, failed and delayed jobs with their errors) at
 * /admin/queues, for admins with MFA only (SPEC "People and roles": admin). Served through a Nest
 * controller so the one guard decides, with the same browser-session cookie or bearer token as the
 * API: anyone else gets its 401 or 403 problem+json, like every other admin route. Read-only: the
 * board's own buttons could not send the CSRF token a cookie-authenticated write needs, and retrying
 * or removing jobs by hand would bypass the outbox and dead-letter rules (admins retry dead emails
 * through /v1/admin/emails). Job payloads carry ids only (src/queue/queue.registry.ts).
 */
@ApiExcludeController()
@Controller(QUEUE_BOARD_PATH.slice(1))
export class QueueBoardController implements OnModuleInit {
  private board: Handler;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    const server = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
    const queues = Object.values(QueueName).map(
      (name) =>
        new BullMQAdapter(this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }), { readOnlyMode: true }),
    );
    createBullBoard({
      queues,
      serverAdapter: server,
      options: { uiConfig: { boardTitle: 'Gatehouse queues', hideDocsLink: true } },
    });
    this.board = server.getRouter() as Handler;
  }

  @All(['', '*path'])
  @Staff('admin')
  serve(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): void {
    res.setHeader('Content-Security-Policy', QUEUE_BOARD_CSP);
    // The board is an Express app of its own that expects to be mounted at its base path.
    const rest = req.url.slice(QUEUE_BOARD_PATH.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    this.board(req, res, next);
  }
}

/** Loaded by the composition root in the roles that serve HTTP. */
@Module({ controllers: [QueueBoardController] })
export class QueueBoardModule {}
