import { ConsentDetailView, ConsentsService, GrantRequest } from '../../src/consents/consents.service';
import { ConsentConstraints } from '../../src/consents/consent';
import { Actor, bearer, owner } from './actors';
import { SandboxApp, sandboxApp } from './cases';
import { TestApp } from './test-app';

/** A sandbox customer signed in: the sandbox id (the token's `sub`), Gatehouse's customer id, a token, their accounts. */
export interface SignedInCustomer {
  sandboxId: string;
  customerId: string;
  token: string;
  email: string;
  /** Account ids, in the order the sandbox bank lists them. */
  accounts: string[];
}

/** Signs in the `index`th sandbox customer (0-based) through POST /dev/customer-token and GET /v1/customer/me. */
export async function sandboxCustomer(t: TestApp, index = 0): Promise<SignedInCustomer> {
  const listed = (await t.http().get('/dev/customers').expect(200)).body.data as { id: string; email: string }[];
  const sandbox = listed[index];
  if (!sandbox) throw new Error(`no sandbox customer #${index}: seed more with SANDBOX_CUSTOMERS`);
  const token = (await t.http().post('/dev/customer-token').send({ customerId: sandbox.id }).expect(200)).body
    .accessToken as string;
  const me = (await t.http().get('/v1/customer/me').set(bearer(token)).expect(200)).body as { id: string };
  const accounts = (
    (await t.dataSource.query(`SELECT id FROM sandbox_accounts WHERE customer_id = $1 ORDER BY id`, [sandbox.id])) as {
      id: string;
    }[]
  ).map((a) => a.id);
  return { sandboxId: sandbox.id, customerId: me.id, token, email: sandbox.email, accounts };
}

/** A developer's organisation with a sandbox app asking for `scopes`. */
export async function consentingApp(
  t: TestApp,
  label: string,
  scopes = ['accounts:read', 'balances:read', 'transactions:read'],
): Promise<{ dev: Actor & { orgId: string }; app: SandboxApp }> {
  const dev = await owner(t, label);
  const app = await sandboxApp(t, dev, dev.orgId, { scopes });
  return { dev, app };
}

/**
 * Grants a sandbox consent the way the OAuth consent screen will (ConsentsService.grant): by
 * default every scope of the app on the customer's first account, no other restriction.
 */
export function grantConsent(
  t: TestApp,
  app: SandboxApp,
  customer: SignedInCustomer,
  overrides: Partial<Omit<GrantRequest, 'constraints'>> & { constraints?: Partial<ConsentConstraints> } = {},
): Promise<ConsentDetailView> {
  const { constraints, ...rest } = overrides;
  return t.app.get(ConsentsService).grant({
    appId: app.id,
    customerId: customer.customerId,
    environment: 'sandbox',
    scopes: app.scopes,
    ...rest,
    constraints: {
      accountIds: [customer.accounts[0]!],
      transactionWindow: null,
      merchants: null,
      categories: null,
      ...constraints,
    },
  });
}
