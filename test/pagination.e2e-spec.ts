import { Logger, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { CURSOR_KINDS, CursorKind, PageQueryDto, encodeCursor } from '../src/common/pagination/pagination';
import { Actor, bearer, developer, staff } from './harness/actors';
import { TestApp, startTestApp } from './harness/test-app';

interface ListRoute {
  /** Path template as Nest declares it (`:orgId` …), to compare with the routes the app has. */
  route: string;
  kind: CursorKind;
  path: () => string;
  token: () => string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const AT = '2026-11-28T10:00:00.000Z';

/** The query strings every list must answer with 400 problem+json naming the parameter. */
function badQueries(kind: CursorKind): { what: string; query: Record<string, string>; field: string }[] {
  const idOf = (k: CursorKind) => (k.id === 'uuid' ? randomUUID() : '42');
  const other = Object.values(CURSOR_KINDS).find((k) => k.list !== kind.list)!;
  const cursor = (what: string, value: string) => ({ what, query: { cursor: value }, field: 'cursor' });
  const limit = (value: string) => ({ what: `limit=${value}`, query: { limit: value }, field: 'limit' });
  return [
    cursor('the issue example, base64 of ["x","y"]', 'WyJ4IiwieSJd'),
    cursor('non-base64 garbage', '%%%!!!'),
    cursor('an overlong cursor', 'A'.repeat(4000)),
    cursor("another list's cursor", encodeCursor(other, { at: AT, id: idOf(other) })),
    cursor('a date that does not exist', b64([kind.list, '2026-02-30T10:00:00.000Z', idOf(kind)])),
    cursor('a date out of range', b64([kind.list, '1900-01-01T00:00:00.000Z', idOf(kind)])),
    cursor('an id of the wrong type', b64([kind.list, AT, kind.id === 'uuid' ? '42' : randomUUID()])),
    limit('0'),
    limit('201'),
    limit('abc'),
    limit('1e2'),
  ];
}

/**
 * Every paginated list route of Gatehouse. The last test finds, in the running app, every GET
 * route whose query is a PageQueryDto and fails if one is missing here: add new lists to this table.
 */
function listRoutes(ctx: { admin: () => Actor; dev: () => Actor; org: () => string; app: () => string }): ListRoute[] {
  const staffRoute = (route: string, kind: CursorKind): ListRoute => ({
    route,
    kind,
    path: () => route,
    token: () => ctx.admin().token,
  });
  const devRoute = (route: string, kind: CursorKind): ListRoute => ({
    route,
    kind,
    path: () => route.replace(':orgId', ctx.org()).replace(':appId', ctx.app()),
    token: () => ctx.dev().token,
  });
  return [
    staffRoute('/v1/review/tasks', CURSOR_KINDS.reviewTasks),
    staffRoute('/v1/audit', CURSOR_KINDS.audit),
    staffRoute('/v1/admin/emails', CURSOR_KINDS.adminEmails),
    devRoute('/v1/organisations/:orgId/apps', CURSOR_KINDS.apps),
    devRoute('/v1/organisations/:orgId/apps/:appId/webhook/deliveries', CURSOR_KINDS.webhookDeliveries),
  ];
}

/**
 * Lists that answer everything at once (`nextCursor: null`, bounded per organisation or app): they
 * take no query, so a cursor is ignored, never a 500.
 */
const unpaginated = (org: string, app: string) => [
  '/v1/organisations',
  `/v1/organisations/${org}/members`,
  `/v1/organisations/${org}/people`,
  `/v1/organisations/${org}/documents`,
  `/v1/organisations/${org}/apps/${app}/credentials`,
  `/v1/organisations/${org}/apps/${app}/certificates`,
  `/v1/organisations/${org}/apps/${app}/production-access`,
];

describe('pagination: every list refuses bad cursors and limits with 400', () => {
  let t: TestApp;
  let admin: Actor;
  let dev: Actor;
  let org: string;
  let app: string;
  let errorsLogged: string[];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await staff(t, 'admin');
    dev = await developer(t, 'pages');
    const address = { line1: '2 Quay', city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' };
    const orgBody = { legalName: 'Pages Ltd', registrationNumber: '12345678', country: 'GB' };
    org = (
      await t
        .http()
        .post('/v1/organisations')
        .set(bearer(dev.token))
        .send({ ...orgBody, registeredAddress: address, regulatoryStatus: { type: 'unregulated' } })
        .expect(201)
    ).body.id;
    const appBody = { name: 'Pages', description: 'Paging through lists.', scopes: ['accounts:read'] };
    app = (
      await t
        .http()
        .post(`/v1/organisations/${org}/apps`)
        .set(bearer(dev.token))
        .send({ ...appBody, redirectUris: ['https://app.pages.co.uk/callback'] })
        .expect(201)
    ).body.id;
    errorsLogged = [];
    const original = Logger.prototype.error;
    spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(function (this: Logger, ...args: unknown[]) {
      errorsLogged.push(String((this as unknown as { context?: string }).context));
      return (original as (...a: unknown[]) => void).apply(this, args);
    });
  });
  afterAll(async () => {
    spy.mockRestore();
    await t.close();
  });

  const routes = listRoutes({ admin: () => admin, dev: () => dev, org: () => org, app: () => app });

  describe.each(routes.map((r) => [r.route, r] as const))('%s', (_, r) => {
    it('pages with its own cursors', async () => {
      const id = r.kind.id === 'uuid' ? randomUUID() : '9000000000';
      const own = encodeCursor(r.kind, { at: new Date().toISOString(), id });
      const res = await t.http().get(r.path()).query({ limit: '1', cursor: own }).set(bearer(r.token())).expect(200);
      expect(res.body).toMatchObject({ data: expect.any(Array) });
      expect(res.body.nextCursor === null || typeof res.body.nextCursor === 'string').toBe(true);
    });

    const cases = badQueries(r.kind).map((q) => [q.what, q] as const);
    it.each(cases)('refuses %s with 400 problem+json, logging no error', async (_w, q) => {
      errorsLogged.length = 0;
      const res = await t.http().get(r.path()).query(q.query).set(bearer(r.token()));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, type: 'urn:gatehouse:problem:validation-failed' });
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(res.body.errors.map(() => q.field));
      expect(errorsLogged).toEqual([]);
    });
  });

  it('has every paginated route of the running app in the sweep', () => {
    const found: string[] = [];
    for (const mod of t.app.get(ModulesContainer).values()) {
      for (const wrapper of mod.controllers.values()) {
        const ctrl = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
        if (!ctrl) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '');
        for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
          const handler = (ctrl.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
          const own = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
          const path = `/${[base, own].filter((p) => p && p !== '/').join('/')}`;
          const types = (Reflect.getMetadata('design:paramtypes', ctrl.prototype, name) ?? []) as unknown[];
          const paged = (p: unknown) =>
            typeof p === 'function' && (p === PageQueryDto || p.prototype instanceof PageQueryDto);
          if (types.some(paged)) found.push(path);
        }
      }
    }
    expect(found.sort()).toEqual(routes.map((r) => r.route).sort());
  });

  it('answers the one-page lists in full whatever cursor is sent', async () => {
    errorsLogged.length = 0;
    for (const path of unpaginated(org, app)) {
      const res = await t.http().get(path).query({ cursor: 'WyJ4IiwieSJd' }).set(bearer(dev.token));
      const seen = { path, status: res.status, nextCursor: res.body.nextCursor };
      expect(seen).toEqual({ path, status: 200, nextCursor: null });
    }
    expect(errorsLogged).toEqual([]);
  });
});
