import { Controller, INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Writable } from 'node:stream';
import request from 'supertest';
import { DomainError } from '../../common/errors/domain-error';
import { createLogger } from '../../common/logging/logging';
import { requestContext } from '../../common/logging/request-logging';
import type { AppConfig } from '../../config/config';
import { ConsentDecisionsService } from './consent-decisions.service';
import { HttpMiddleware, serveDecisionPointFirst } from './decision-point-mount';
import { GatewayKey } from './gateway-key';

const KEY = 'gateway-key-for-the-decision-point-spec-0123456789';
const SECRET_IN_BODY = 'customer-sub-that-must-not-be-logged';

const raw: string[] = [];
const sink = new Writable({
  write: (chunk, _enc, done) => {
    raw.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
const accessLines = () =>
  raw.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.msg).startsWith('request '));

/** What the decision service answers next: a value, or an error to throw. */
let next: { answer: unknown } | { error: unknown } = { answer: {} };
const calls: unknown[] = [];
const decisions = {
  decideRequest: (body: unknown) => {
    calls.push(body);
    return 'error' in next ? Promise.reject(next.error) : Promise.resolve(next.answer);
  },
};

/** Stands for the rest of the app: anything not served ahead of express reaches Nest. */
@Controller()
class ElsewhereController {
  @Post('v1/consent-decisions/other')
  other(): { reached: 'nest' } {
    return { reached: 'nest' };
  }
}

/**
 * The decision point served ahead of express (serveDecisionPointFirst) with the app's request
 * logging as its prelude, at info level: its access line, its refusals and its fail-closed 503.
 */
describe('decision point served ahead of express', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const key = new GatewayKey({ consents: { gatewayApiKey: KEY }, env: 'test' } as AppConfig);
    key.onModuleInit();
    @Module({
      controllers: [ElsewhereController],
      providers: [
        { provide: ConsentDecisionsService, useValue: decisions },
        { provide: GatewayKey, useValue: key },
      ],
    })
    class DecisionPointModule {}
    const nest = await NestFactory.create<NestExpressApplication>(DecisionPointModule, { logger: false });
    const context = requestContext(createLogger({ log: { level: 'info' }, role: 'api' } as AppConfig, sink));
    nest.use(context);
    serveDecisionPointFirst(nest, [context as HttpMiddleware]);
    await nest.init();
    app = nest;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    raw.length = 0;
    calls.length = 0;
    next = { answer: { allow: true, reason: 'allowed' } };
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  const post = (path = '/v1/consent-decisions?trace=1') =>
    request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${KEY}`);

  it('logs method, path, status, duration and request id, never the body or the key', async () => {
    const res = await post().send({ customerId: SECRET_IN_BODY }).expect(200);
    expect(res.body).toEqual({ allow: true, reason: 'allowed' });
    expect(calls).toEqual([{ customerId: SECRET_IN_BODY }]);
    await settle();
    expect(accessLines()).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: { id: res.headers['x-request-id'], method: 'POST', url: '/v1/consent-decisions' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    const all = raw.join('\n');
    expect(all).not.toContain(SECRET_IN_BODY);
    expect(all).not.toContain(KEY);
  });

  it('refuses a wrong key with 401 problem+json before reading the body', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/consent-decisions')
      .set('Authorization', `Bearer ${KEY.slice(0, -1)}x`)
      .send({ customerId: SECRET_IN_BODY })
      .expect(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(calls).toEqual([]);
  });

  it('fails closed: a decision service that cannot decide is 503 problem+json, logged as errored', async () => {
    next = { error: new DomainError('unavailable', 'The consent replica is not current') };
    const res = await post().send({}).expect(503);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({ status: 503, requestId: res.headers['x-request-id'] });
    expect(res.body.allow).toBeUndefined();
    await settle();
    expect(accessLines()).toEqual([expect.objectContaining({ msg: 'request errored', res: { statusCode: 503 } })]);
    expect(raw.join('\n')).not.toContain(KEY);
  });

  it('leaves every other request to express and Nest', async () => {
    await post('/v1/consent-decisions/other').send({}).expect(201, { reached: 'nest' });
    await request(app.getHttpServer()).get('/v1/consent-decisions').expect(404);
    expect(calls).toEqual([]);
  });
});
