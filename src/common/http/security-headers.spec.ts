import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { recordHeaderOps, securityHeaders } from './security-headers';

const api = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
    },
    xDnsPrefetchControl: false,
    originAgentCluster: false,
  });
const docs = () => helmet({ contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"] } } });

function appWith(middleware: express.RequestHandler): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(middleware);
  app.get(['/v1/thing', '/docs', '/docs-json'], (_req, res) => res.json({ ok: true }));
  return app;
}

const headersOf = async (app: express.Express, path: string) => {
  const { headers } = await request(app).get(path).expect(200);
  delete headers.date;
  return headers;
};

describe('security headers', () => {
  it('sets exactly the headers helmet sets, for API routes and for /docs', async () => {
    const viaHelmet = appWith((req, res, next) => (req.path.startsWith('/docs') ? docs() : api())(req, res, next));
    const recorded = appWith(securityHeaders(api(), docs()));
    for (const path of ['/v1/thing', '/docs', '/docs-json']) {
      expect(await headersOf(recorded, path)).toEqual(await headersOf(viaHelmet, path));
    }
    expect((await headersOf(recorded, '/v1/thing'))['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect((await headersOf(recorded, '/docs'))['content-security-policy']).toMatch(/style-src 'self' 'unsafe-inline'/);
  });

  it('refuses a middleware whose headers depend on the request', () => {
    const perRequest = helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", (_req, res) => `'nonce-${(res as { locals?: { n?: string } }).locals?.n}'`],
        },
      },
    });
    expect(() => recordHeaderOps(perRequest as never)).toThrow(/reads the response/);
    expect(() => recordHeaderOps((_req, _res, next) => setTimeout(next, 0))).toThrow(/synchronously/);
  });
});
