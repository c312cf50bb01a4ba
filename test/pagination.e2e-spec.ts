import { Logger, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { CURSOR_KINDS, CursorKind, PageQueryDto, encodeCursor } from '../src/common/pagination/pagination';
import { Actor, bearer, developer, staff } from './harness/actors';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

interface ListRoute {
  /** Path template as Nest declares it (`:orgId` …), to compare with the routes the app has. */
  route: string;
  kind: CursorKind;
  path: () => string;
  token: () => string;
  /** The route reads its query itself (the data API's), not through a PageQueryDto. */
  queryParsedByHand?: true;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A cursor time as the API issues it: PostgreSQL's microseconds, UTC. */
const AT = '2026-11-28T10:00:00.000123Z';
/** The position of a kind's cursor: a day for lists ordered by date, else a time. */
const atOf = (kind: CursorKind, time = AT) => (kind.order === 'date' ? time.slice(0, 10) : time);

/** The query strings every list must answer with 400 problem+json naming the parameter. */
function badQueries(kind: CursorKind): { what: string; query: Record<string, string>; field: string }[] {
  const idOf = (k: CursorKind) => (k.id === 'uuid' ? randomUUID() : '42');
  const other = Object.values(CURSOR_KINDS).find((k) => k.list !== kind.list)!;
  const date = kind.order === 'date';
  const cursor = (what: string, value: string) => ({ what, query: { cursor: value }, field: 'cursor' });
  const limit = (value: string) => ({ what: `limit=${value}`, query: { limit: value }, field: 'limit' });
  return [
    cursor('the issue example, base64 of ["x","y"]', 'WyJ4IiwieSJd'),
    cursor('non-base64 garbage', '%%%!!!'),
    cursor('an overlong cursor', 'A'.repeat(4000)),
    cursor("another list's cursor", encodeCursor(other, { at: atOf(other), id: idOf(other) })),
    cursor('a date that does not exist', b64([kind.list, atOf(kind, '2026-02-30T10:00:00.000000Z'), idOf(kind)])),
    cursor('a date out of range', b64([kind.list, atOf(kind, '1900-01-01T00:00:00.000000Z'), idOf(kind)])),
    date
      ? cursor('a time where a day is expected', b64([kind.list, AT, idOf(kind)]))
      : cursor('a time in milliseconds, which loses rows', b64([kind.list, '2026-11-28T10:00:00.000Z', idOf(kind)])),
    cursor('a time with SQL after it', b64([kind.list, `${atOf(kind)}'::timestamptz--`, idOf(kind)])),
    cursor('a time with a time zone offset', b64([kind.list, `${atOf(kind)}+01:00`, idOf(kind)])),
    cursor(
      'an id of the wrong type',
      encodeCursor(kind, { at: atOf(kind), id: kind.id === 'uuid' ? '42' : randomUUID() }),
    ),
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
function listRoutes(ctx: {
  admin: () => Actor;
  dev: () => Actor;
  org: () => string;
  app: () => string;
  customer: () => SignedInCustomer;
  consent: () => string;
  /** An OAuth access token of a consent with transactions:read on the customer's first account. */
  accessToken: () => string;
}): ListRoute[] {
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
  const customerRoute = (route: string, kind: CursorKind): ListRoute => ({
    route,
    kind,
    path: () => route.replace(':consentId', ctx.consent()),
    token: () => ctx.customer().token,
  });
  return [
    staffRoute('/v1/review/tasks', CURSOR_KINDS.reviewTasks),
    staffRoute('/v1/audit', CURSOR_KINDS.audit),
    staffRoute('/v1/admin/emails', CURSOR_KINDS.adminEmails),
    devRoute('/v1/organisations/:orgId/apps', CURSOR_KINDS.apps),
    devRoute('/v1/organisations/:orgId/apps/:appId/webhook/deliveries', CURSOR_KINDS.webhookDeliveries),
    devRoute('/v1/organisations/:orgId/apps/:appId/consents', CURSOR_KINDS.appConsents),
    customerRoute('/v1/customer/apps', CURSOR_KINDS.customerApps),
    customerRoute('/v1/customer/consents', CURSOR_KINDS.customerConsents),
    customerRoute('/v1/customer/consents/:consentId/access-log', CURSOR_KINDS.consentAccessLog),
    {
      route: '/sandbox/v1/accounts/:accountId/transactions',
      kind: CURSOR_KINDS.sandboxTransactions,
      path: () => `/sandbox/v1/accounts/${ctx.customer().accounts[0]!}/transactions`,
      token: ctx.accessToken,
      queryParsedByHand: true,
    },
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

/**
 * Paginated lists this sweep cannot reach, each with the spec that sweeps it instead. The development
 * mailbox exists only without SMTP (this app has an SMTP catcher); test/dev-mailbox.e2e-spec.ts pages it
 * and refuses a foreign cursor and bad limits.
 */
const SWEPT_ELSEWHERE = ['/dev/mailbox'];

describe('pagination: every list refuses bad cursors and limits with 400', () => {
  let t: TestApp;
  let admin: Actor;
  let dev: Actor;
  let customer: SignedInCustomer;
  let org: string;
  let app: string;
  let consent: string;
  let accessToken: string;
  let errorsLogged: string[];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await staff(t, 'admin');
    dev = await developer(t, 'pages');
    customer = await sandboxCustomer(t, 0);
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
    const consenting = (await consentingApp(t, 'pages-consents')).app;
    consent = (await grantConsent(t, consenting, customer)).id;
    // The data API's token, stored as the authorisation server stores one (oauth_models), for a
    // consent with transactions:read on the customer's first account and no other restriction.
    const dataConsent = await grantConsent(t, consenting, customer, { scopes: ['transactions:read'] });
    accessToken = randomUUID();
    await t.dataSource.query(
      `INSERT INTO oauth_models (model, id, payload, grant_id, expires_at)
       VALUES ('AccessToken', $1, jsonb_build_object('clientId', $2::text, 'grantId', $3::text, 'kind', 'AccessToken'),
               $3, now() + interval '1 hour')`,
      [accessToken, consenting.clientId, dataConsent.id],
    );
    // The decision point's replica applies the new consent within a second.
    await eventually(async () => {
      const res = await t
        .http()
        .get(`/sandbox/v1/accounts/${customer.accounts[0]!}/transactions`)
        .set(bearer(accessToken));
      return res.status === 200;
    });
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

  const routes = listRoutes({
    admin: () => admin,
    dev: () => dev,
    org: () => org,
    app: () => app,
    customer: () => customer,
    consent: () => consent,
    accessToken: () => accessToken,
  });

  describe.each(routes.map((r) => [r.route, r] as const))('%s', (_, r) => {
    it('pages with its own cursors', async () => {
      const id = r.kind.id === 'uuid' ? randomUUID() : '9000000000';
      const own = encodeCursor(r.kind, { at: atOf(r.kind, new Date().toISOString().replace('Z', '456Z')), id });
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

  /**
   * PostgreSQL keeps microseconds, a JavaScript Date milliseconds: rows created within one
   * millisecond must still appear exactly once, whatever the page size. Each list gets rows whose
   * created_at differ only in microseconds (two share one instant, two straddle a millisecond),
   * with ids in the opposite order to time, so neither key alone gives the right order.
   */
  describe('pages through rows created within one millisecond exactly once, in order', () => {
    const FRACTIONS = ['.000100', '.000200', '.000300', '.000300', '.000999', '.001000'];
    const TIMES = FRACTIONS.map((f) => `2026-03-01T10:00:00${f}Z`);
    /** Fresh uuids paired with TIMES so that the smallest id has the latest instant. */
    const seeded = () => {
      const ids = TIMES.map(() => randomUUID()).sort();
      const rows = ids.map((id, i) => ({ id, at: TIMES[TIMES.length - 1 - i]! }));
      // Newest first, ties by id descending: what every created_at list promises.
      const newer = (a: { at: string; id: string }, b: { at: string; id: string }) =>
        a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;
      const order = [...rows].sort(newer).map((r) => r.id);
      return { rows, order };
    };
    interface OrderCase {
      path: () => string;
      query: Record<string, string>;
      token: () => string;
      /** Inserts the rows; returns their ids in the order the list must show them. */
      seed: () => Promise<string[]>;
      /** Every id the list shows, in the list's order, as the database has it. */
      all: () => Promise<string[]>;
      /** The id of a listed item, when it is not `id`. */
      idOf?: (item: Record<string, string>) => string;
    }
    const ids = async (sql: string, params: unknown[]) =>
      ((await t.dataSource.query(sql, params)) as { id: string }[]).map((r) => String(r.id));
    /** A consent of the signed-in customer to `appId` created at `at`, straight into the table. */
    const insertConsent = (id: string, appId: string, at: string) =>
      t.dataSource.query(
        `INSERT INTO consents (id, app_id, customer_id, environment, scopes, account_ids, purpose, created_at, updated_at,
                               expires_at)
         VALUES ($1, $2, $3, 'sandbox', '{accounts:read}', $4, 'Paging', $5, $5, now() + interval '30 days')`,
        [id, appId, customer.customerId, [customer.accounts[0]], at],
      );
    const cases: [string, OrderCase][] = [
      [
        'review tasks',
        {
          path: () => '/v1/review/tasks',
          query: { status: 'cancelled' },
          token: () => admin.token,
          seed: async () => {
            const { rows, order } = seeded();
            for (const r of rows) {
              await t.dataSource.query(
                `INSERT INTO review_tasks (id, type, subject_id, organisation_id, status, risk_level, stage_rank,
                 risk_rank, due_at, created_at)
               VALUES ($1, 'kyb', $2, $2, 'cancelled', 'low', 1, 1, now(), $3)`,
                [r.id, org, r.at],
              );
            }
            return order;
          },
          all: () =>
            ids(`SELECT id FROM review_tasks WHERE status = 'cancelled' ORDER BY created_at DESC, id DESC`, []),
        },
      ],
      [
        'admin emails',
        {
          path: () => '/v1/admin/emails',
          query: { status: 'dead' },
          token: () => admin.token,
          seed: async () => {
            const { rows, order } = seeded();
            for (const r of rows) {
              await t.dataSource.query(
                `INSERT INTO outbox_messages (id, recipient, template, data, status, created_at)
               VALUES ($1, 'pages@example.com', 'organisation-rejected', '{}', 'dead', $2)`,
                [r.id, r.at],
              );
            }
            return order;
          },
          all: () => ids(`SELECT id FROM outbox_messages WHERE status = 'dead' ORDER BY created_at DESC, id DESC`, []),
        },
      ],
      [
        'apps',
        {
          path: () => `/v1/organisations/${org}/apps`,
          query: {},
          token: () => dev.token,
          seed: async () => {
            const { rows, order } = seeded();
            for (const [i, r] of rows.entries()) {
              await t.dataSource.query(
                `INSERT INTO apps (id, organisation_id, name, description, redirect_uris, scopes, sandbox_client_id,
                 created_by, created_at)
               SELECT $1, organisation_id, $2, description, redirect_uris, scopes, $3, created_by, $4
                 FROM apps WHERE id = $5`,
                [r.id, `Pages ${i}`, `sbx-pages-${r.id}`, r.at, app],
              );
            }
            return order;
          },
          all: () => ids(`SELECT id FROM apps WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC`, [org]),
        },
      ],
      [
        'webhook deliveries',
        {
          path: () => `/v1/organisations/${org}/apps/${app}/webhook/deliveries`,
          query: {},
          token: () => dev.token,
          seed: async () => {
            const { rows, order } = seeded();
            for (const r of rows) {
              await t.dataSource.query(
                `INSERT INTO webhook_deliveries (id, app_id, event_type, payload, url, status, created_at)
               VALUES ($1, $2, 'app.updated', '{}', 'https://app.pages.co.uk/hook', 'failed', $3)`,
                [r.id, app, r.at],
              );
            }
            return order;
          },
          all: () =>
            ids(`SELECT id FROM webhook_deliveries WHERE app_id = $1 ORDER BY created_at DESC, id DESC`, [app]),
        },
      ],
      [
        'customer consents',
        {
          path: () => '/v1/customer/consents',
          query: {},
          token: () => customer.token,
          seed: async () => {
            const { rows, order } = seeded();
            for (const r of rows) await insertConsent(r.id, app, r.at);
            return order;
          },
          all: () =>
            ids(`SELECT id FROM consents WHERE customer_id = $1 ORDER BY created_at DESC, id DESC`, [
              customer.customerId,
            ]),
        },
      ],
      [
        'app consents',
        {
          path: () => `/v1/organisations/${org}/apps/${app}/consents`,
          query: {},
          token: () => dev.token,
          seed: async () => {
            const { rows, order } = seeded();
            for (const r of rows) await insertConsent(r.id, app, r.at);
            return order;
          },
          all: () => ids(`SELECT id FROM consents WHERE app_id = $1 ORDER BY created_at DESC, id DESC`, [app]),
        },
      ],
      // Connected apps are ordered by app id: six more apps, each with one consent of the customer.
      [
        'customer apps',
        {
          path: () => '/v1/customer/apps',
          query: {},
          token: () => customer.token,
          idOf: (item) => item.appId!,
          seed: async () => {
            const appIds = TIMES.map(() => randomUUID()).sort();
            for (const [i, id] of appIds.entries()) {
              await t.dataSource.query(
                `INSERT INTO apps (id, organisation_id, name, description, redirect_uris, scopes, sandbox_client_id,
                 created_by)
               SELECT $1, organisation_id, $2, description, redirect_uris, scopes, $3, created_by FROM apps WHERE id = $4`,
                [id, `Connected ${i}`, `sbx-connected-${id}`, app],
              );
              await insertConsent(randomUUID(), id, TIMES[i]!);
            }
            return appIds;
          },
          all: () =>
            ids(`SELECT DISTINCT app_id AS id FROM consents WHERE customer_id = $1 ORDER BY id`, [customer.customerId]),
        },
      ],
      // Transactions are ordered by booking date then id: six rows on two days, ids against the days.
      [
        'sandbox transactions',
        {
          path: () => `/sandbox/v1/accounts/${customer.accounts[0]!}/transactions`,
          query: { from: '2099-01-01' },
          token: () => accessToken,
          idOf: (item) => item.transactionId!,
          seed: async () => {
            const ids = TIMES.map(() => randomUUID()).sort();
            // A day after every generated row, so these six come first.
            const days = ['2099-01-02', '2099-01-02', '2099-01-02', '2099-01-01', '2099-01-01', '2099-01-01'];
            for (const [i, id] of ids.entries()) {
              await t.dataSource.query(
                `INSERT INTO sandbox_transactions (id, account_id, booking_date, amount, currency, description, merchant, category)
                 VALUES ($1, $2, $3, -1.00, 'GBP', 'Paging', 'Sandbox Diner', 'eating_out')`,
                [id, customer.accounts[0], days[i]],
              );
            }
            // Newest day first, then ids descending within a day.
            return [...ids.slice(0, 3).reverse(), ...ids.slice(3).reverse()];
          },
          all: () =>
            ids(
              `SELECT id FROM sandbox_transactions WHERE account_id = $1 AND booking_date >= '2099-01-01'
              ORDER BY booking_date DESC, id DESC`,
              [customer.accounts[0]],
            ),
        },
      ],
      // The audit log is ordered by its bigint id alone (the order of the hash chain), so its
      // created_at cannot split a page; seeding it would break the chain, so it pages what it has.
      [
        'audit',
        {
          path: () => '/v1/audit',
          query: {},
          token: () => admin.token,
          seed: () => ids(`SELECT id FROM audit_entries ORDER BY id DESC`, []),
          all: () => ids(`SELECT id FROM audit_entries ORDER BY id DESC`, []),
        },
      ],
    ];

    /** Follows nextCursor from the first page to the last; stops after `max` pages should it loop. */
    async function pageThrough(c: OrderCase, limit: number, max: number): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < max; page++) {
        const query = { ...c.query, limit: String(limit), ...(cursor ? { cursor } : {}) };
        const res = await t.http().get(c.path()).query(query).set(bearer(c.token())).expect(200);
        seen.push(...(res.body.data as Record<string, string>[]).map((r) => (c.idOf ? c.idOf(r) : r.id!)));
        cursor = res.body.nextCursor ?? undefined;
        if (!cursor) break;
      }
      return seen;
    }

    describe.each(cases)('%s', (_, c) => {
      let order: string[];
      beforeAll(async () => {
        order = await c.seed();
      });

      it.each([1, 2, 4])('shows every row exactly once with limit=%i', async (limit) => {
        const all = await c.all();
        expect(all.length).toBeGreaterThanOrEqual(order.length);
        const seen = await pageThrough(c, limit, all.length + 2);
        expect(seen).toEqual(all);
        expect(seen.filter((id) => order.includes(id))).toEqual(order);
      });
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
    expect(found.filter((r) => !SWEPT_ELSEWHERE.includes(r)).sort()).toEqual(
      routes
        .filter((r) => !r.queryParsedByHand)
        .map((r) => r.route)
        .sort(),
    );
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
