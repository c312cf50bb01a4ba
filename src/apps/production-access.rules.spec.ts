import { SECURITY_ATTESTATION_ITEMS } from './credentials/scopes';
import { productionRequestFieldErrors } from './production-access.rules';

const allPromised = Object.fromEntries(SECURITY_ATTESTATION_ITEMS.map((i) => [i, true])) as never;
const justified = 'We show the customer their accounts in one dashboard.';
const app = { scopes: ['accounts:read'], redirectUris: ['https://app.example.com/callback'] };

describe('productionRequestFieldErrors', () => {
  it('accepts a request with every scope justified and every item promised', () => {
    expect(
      productionRequestFieldErrors(app, {
        scopeJustifications: { 'accounts:read': justified },
        securityAttestation: allPromised,
      }),
    ).toEqual([]);
  });

  it('refuses a justification shorter than 20 characters once trimmed, or longer than 2000', () => {
    for (const text of ['  short but padded          ', 'x'.repeat(2001), undefined]) {
      const errors = productionRequestFieldErrors(app, {
        scopeJustifications: { 'accounts:read': text as string },
        securityAttestation: allPromised,
      });
      expect(errors).toEqual([
        {
          field: 'scopeJustifications.accounts:read',
          message: expect.stringMatching(/^explain in 20-2000 characters what the app does with Accounts data$/),
        },
      ]);
    }
  });

  it('refuses a justification for a scope the app does not have, and an unpromised item, in that order', () => {
    const [item] = SECURITY_ATTESTATION_ITEMS;
    const errors = productionRequestFieldErrors(app, {
      scopeJustifications: { 'accounts:read': justified, 'payments:write': justified },
      securityAttestation: { ...(allPromised as object), [item]: false } as never,
    });
    expect(errors.map((e) => e.field)).toEqual(['scopeJustifications.payments:write', `securityAttestation.${item}`]);
    expect(errors[1].message).toMatch(/^must be true: /);
  });

  it('applies the production redirect-URI rule', () => {
    const errors = productionRequestFieldErrors(
      { ...app, redirectUris: ['http://localhost:3000/cb'] },
      { scopeJustifications: { 'accounts:read': justified }, securityAttestation: allPromised },
    );
    expect(errors.map((e) => e.field)).toEqual(['redirectUris[0]']);
  });
});
