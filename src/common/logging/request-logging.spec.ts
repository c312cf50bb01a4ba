import { Controller, Get, INestApplication, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LoggerModule, Logger as PinoNestLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger, loggerParams } from './logging';
import { requestContext } from './request-logging';

const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const sink = new Writable({
  write: (chunk, _enc, done) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  },
});

@Controller()
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Get('ok')
  ok(): { ok: true } {
    return { ok: true };
  }

  @Get('noisy')
  noisy(): { ok: true } {
    this.logger.warn({ token: 'tok_secret_value', detail: 'inside' }, 'service line');
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('kaboom');
  }

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

async function appAt(level: string): Promise<INestApplication> {
  const logger = createLogger({ log: { level }, role: 'api' }, sink);
  @Module({
    imports: [
      LoggerModule.forRoot({ ...loggerParams({ log: { level }, role: 'api' } as never), pinoHttp: { logger } }),
    ],
    controllers: [ProbeController],
  })
  class ProbeModule {}
  const app = await NestFactory.create<NestExpressApplication>(ProbeModule, { logger: false });
  app.useLogger(app.get(PinoNestLogger));
  app.use(requestContext(logger));
  await app.init();
  return app;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('request logging', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await appAt('info');
  });
  afterAll(() => app.close());
  beforeEach(() => {
    lines.length = 0;
    raw.length = 0;
  });

  const access = () => lines.filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('request '));

  it('writes one access line per request with id, method, path and status, and echoes the id', async () => {
    const res = await request(app.getHttpServer())
      .get('/ok?token=abc123secret')
      .set('Authorization', 'Bearer sekrit-bearer-token-value');
    await settle();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(access()).toEqual([
      expect.objectContaining({
        level: 30,
        role: 'api',
        msg: 'request completed',
        req: { id: res.headers['x-request-id'], method: 'GET', url: '/ok' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    const all = raw.join('\n');
    for (const secret of ['abc123secret', 'sekrit-bearer-token-value']) expect(all).not.toContain(secret);
  });

  it('keeps a caller-supplied request id', async () => {
    await request(app.getHttpServer())
      .get('/ok')
      .set('X-Request-Id', 'trace-abc-12345')
      .expect('X-Request-Id', 'trace-abc-12345');
    await settle();
    expect(access()[0]).toMatchObject({ req: { id: 'trace-abc-12345' } });
  });

  it('binds lines written during a request to it, redacted', async () => {
    const res = await request(app.getHttpServer()).get('/noisy');
    await settle();
    const service = lines.find((l) => l.msg === 'service line');
    expect(service).toMatchObject({
      level: 40,
      context: 'Probe',
      token: '[redacted]',
      detail: 'inside',
      req: { id: res.headers['x-request-id'], method: 'GET', url: '/noisy' },
    });
    expect(access()).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: { id: res.headers['x-request-id'], method: 'GET', url: '/noisy' },
        res: { statusCode: 200 },
      }),
    ]);
    expect(raw.join('\n')).not.toContain('tok_secret_value');
  });

  it('logs a 5xx as request errored, with the error', async () => {
    await request(app.getHttpServer()).get('/boom').expect(500);
    await settle();
    expect(access()).toEqual([
      expect.objectContaining({
        msg: 'request errored',
        res: { statusCode: 500 },
        err: expect.objectContaining({ message: 'failed with status code 500' }),
      }),
    ]);
  });

  it('does not log health probes', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await settle();
    expect(access()).toEqual([]);
  });

  it('writes no access line above info, but still writes warnings bound to the request', async () => {
    const quiet = await appAt('warn');
    try {
      const res = await request(quiet.getHttpServer()).get('/noisy').expect(200);
      await request(quiet.getHttpServer()).get('/ok').expect(200);
      await settle();
      expect(access()).toEqual([]);
      expect(lines.find((l) => l.msg === 'service line')).toMatchObject({ req: { id: res.headers['x-request-id'] } });
    } finally {
      await quiet.close();
    }
  });
});
