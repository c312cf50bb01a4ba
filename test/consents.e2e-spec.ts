import { bearer } from './harness/actors';
import { SandboxApp } from './harness/cases';
import { SignedInCustomer, consentingApp, grantConsent, sandboxCustomer } from './harness/consents';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

describe('customer consents: the customer API', () => {
  let t: TestApp;
  let app: SandboxApp;
  let alice: SignedInCustomer;
  let bob: SignedInCustomer;

  beforeAll(async () => {
    t = await startTestApp({ env: { SANDBOX_SEED: 'consents-e2e', SANDBOX_CUSTOMERS: '3' } });
    ({ app } = await consentingApp(t, 'consents'));
    alice = await sandboxCustomer(t, 0);
    bob = await sandboxCustomer(t, 1);
  });
  afterAll(() => t.close());

  const as = (c: SignedInCustomer) => bearer(c.token);

  it('shows a granted consent with its receipt, sealed by a SHA-256 over what the customer agreed to', async () => {
    const granted = await grantConsent(t, app, alice, {
      constraints: {
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
        categories: ['car_finance', 'mortgage'],
      },
    });
    const res = await t.http().get(`/v1/customer/consents/${granted.id}`).set(as(alice)).expect(200);
    expect(res.body).toMatchObject({
      id: granted.id,
      appId: app.id,
      status: 'active',
      version: 1,
      scopes: app.scopes,
      constraints: {
        accountIds: [alice.accounts[0]],
        transactionWindow: { from: '2026-01-01', to: '2026-06-30' },
        merchants: null,
        categories: ['car_finance', 'mortgage'],
      },
    });
    expect(res.body.receipt).toMatchObject({ version: 1, decision: 'approved', scopes: app.scopes });
    expect(res.body.receipt.wording).toContain('2026-01-01 to 2026-06-30');
    expect(res.body.receipt.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await t.http().get('/v1/customer/consents?status=active').set(as(alice)).expect(200);
    expect(listed.body.data.map((c: { id: string }) => c.id)).toContain(granted.id);
  });

  it('narrows only: widening is 422 naming the field, shortening the window bumps the version', async () => {
    const c = await grantConsent(t, app, alice, {
      scopes: ['accounts:read', 'transactions:read'],
      constraints: { transactionWindow: { from: '2026-01-01', to: '2026-06-30' } },
    });
    const url = `/v1/customer/consents/${c.id}`;
    const wider = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ transactionWindow: { from: '2025-12-01', to: '2026-06-30' } })
      .expect(422);
    expect(wider.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wider.body.errors).toEqual([{ field: 'transactionWindow', message: expect.any(String) }]);
    const scope = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ scopes: ['accounts:read', 'transactions:read', 'balances:read'] });
    expect([scope.status, scope.body.errors?.[0]?.field]).toEqual([422, 'scopes']);

    const shorter = await t
      .http()
      .patch(url)
      .set(as(alice))
      .send({ transactionWindow: { from: '2026-01-01', to: '2026-03-31' } })
      .expect(200);
    expect(shorter.body).toMatchObject({
      version: 2,
      constraints: { transactionWindow: { from: '2026-01-01', to: '2026-03-31' } },
    });
    expect(shorter.body.receipts.map((r: { version: number }) => r.version)).toEqual([2, 1]);
  });

  it("hides another customer's consent behind 404 on every route", async () => {
    const c = await grantConsent(t, app, alice);
    await t.http().get(`/v1/customer/consents/${c.id}`).set(as(bob)).expect(404);
    await t
      .http()
      .patch(`/v1/customer/consents/${c.id}`)
      .set(as(bob))
      .send({ scopes: ['accounts:read'] })
      .expect(404);
    await t.http().delete(`/v1/customer/consents/${c.id}`).set(as(bob)).expect(404);
    await t.http().delete(`/v1/customer/apps/${app.id}/consents`).set(as(bob)).expect(404);
    const still = await t.http().get(`/v1/customer/consents/${c.id}`).set(as(alice)).expect(200);
    expect(still.body).toMatchObject({ status: 'active', version: 1 });
  });

  it('revokes one consent, then all of an app, once each, with an audit entry per revocation', async () => {
    const one = await grantConsent(t, app, bob);
    const two = await grantConsent(t, app, bob);
    await t.http().delete(`/v1/customer/consents/${one.id}`).set(as(bob)).expect(204);
    await t.http().delete(`/v1/customer/consents/${one.id}`).set(as(bob)).expect(204);
    const all = await t.http().delete(`/v1/customer/apps/${app.id}/consents`).set(as(bob)).expect(200);
    expect(all.body).toEqual({ revoked: 1 });
    for (const id of [one.id, two.id]) {
      const res = await t.http().get(`/v1/customer/consents/${id}`).set(as(bob)).expect(200);
      expect(res.body).toMatchObject({ status: 'revoked', revokedBy: 'customer', version: 2 });
    }
    const audits = await t.dataSource.query(
      `SELECT subject_id FROM audit_entries WHERE action = 'consent.revoked' AND subject_id = ANY($1)`,
      [[one.id, two.id]],
    );
    expect(audits).toHaveLength(2);
    const apps = await t.http().get('/v1/customer/apps').set(as(bob)).expect(200);
    expect(apps.body.data).toEqual([
      expect.objectContaining({ appId: app.id, consentsCount: 2, activeConsentsCount: 0, scopes: [] }),
    ]);
  });

  it('emails the customer the receipt of a new consent', async () => {
    await grantConsent(t, app, alice);
    const mail = await eventually(
      () => t.smtp.messages.find((m) => m.to.includes(alice.email)),
      15_000,
      'the consent email',
    );
    expect(mail.subject).toContain(`You gave ${'Budgetly'} access to your data`);
  });
});
