import { ACCOUNT_ACCESS_SCHEMA, parseAccountAccess, requestedAccountAccess } from './authorization-details';

const valid = { type: 'account_access', scopes: ['accounts:read'] };

describe('account_access authorization details (one schema, ACCOUNT_ACCESS_SCHEMA)', () => {
  it.each([
    ['the minimum', valid],
    [
      'every field',
      {
        ...valid,
        scopes: ['accounts:read', 'transactions:read'],
        transactionWindow: { from: '2026-01-01', to: '2026-01-01' },
        merchants: ['Tesco'],
        categories: ['groceries'],
        expiresAt: '2026-12-31T00:00:00Z',
      },
    ],
  ])('accepts %s', (_, detail) => {
    expect(parseAccountAccess(detail)).toEqual({ ok: true, value: detail });
  });

  it.each([
    ['not an object', 'account_access'],
    ['another type', { ...valid, type: 'payment_initiation' }],
    ['no scopes', { type: 'account_access' }],
    ['empty scopes', { ...valid, scopes: [] }],
    ['an unknown scope', { ...valid, scopes: ['accounts:write'] }],
    ['a repeated scope', { ...valid, scopes: ['accounts:read', 'accounts:read'] }],
    ['a field the schema lacks', { ...valid, accountIds: ['a'] }],
    ['a window without to', { ...valid, transactionWindow: { from: '2026-01-01' } }],
    ['a date that does not exist', { ...valid, transactionWindow: { from: '2026-02-30', to: '2026-03-01' } }],
    ['a window backwards', { ...valid, transactionWindow: { from: '2026-03-01', to: '2026-01-01' } }],
    ['an empty merchant', { ...valid, merchants: [''] }],
    ['an unknown category', { ...valid, categories: ['casino'] }],
    ['an expiry without a zone', { ...valid, expiresAt: '2026-12-31T00:00:00' }],
  ])('refuses %s', (_, detail) => {
    expect(parseAccountAccess(detail)).toMatchObject({ ok: false, errors: [expect.any(String)] });
  });

  it('knows exactly the fields of the published schema', () => {
    expect(Object.keys(ACCOUNT_ACCESS_SCHEMA.properties).sort()).toEqual(
      ['categories', 'expiresAt', 'merchants', 'scopes', 'transactionWindow', 'type'].sort(),
    );
  });

  it('requires exactly one account_access detail in a request', () => {
    expect(requestedAccountAccess(JSON.stringify([valid])).ok).toBe(true);
    expect(requestedAccountAccess(JSON.stringify([valid, valid])).ok).toBe(false);
    expect(requestedAccountAccess(JSON.stringify([])).ok).toBe(false);
    expect(requestedAccountAccess('not json').ok).toBe(false);
    expect(requestedAccountAccess(undefined).ok).toBe(false);
  });
});
