import {
  SCOPES,
  SCOPE_NAMES,
  SECURITY_ATTESTATION,
  SECURITY_ATTESTATION_ITEMS,
  highestTier,
  isScope,
  requirementsFor,
  requiresSeniorReview,
  tierOf,
} from './scopes';

describe('scope catalogue', () => {
  it('holds exactly the six scopes of the spec, with their tiers', () => {
    expect(Object.fromEntries(SCOPE_NAMES.map((s) => [s, tierOf(s)]))).toEqual({
      'accounts:read': 'low',
      'balances:read': 'low',
      'transactions:read': 'medium',
      'payees:read': 'medium',
      'identity:read': 'high',
      'payments:initiate': 'high',
    });
  });

  it('gives every scope a title and a one-sentence description', () => {
    for (const scope of SCOPE_NAMES) {
      const { title, description } = SCOPES[scope];
      expect(title.length).toBeGreaterThan(0);
      expect(description).toMatch(/^Lets the app .+\.$/);
      expect(description.replace(/\.$/, '')).not.toContain('. ');
    }
  });

  it('knows its own scopes only', () => {
    expect(isScope('accounts:read')).toBe(true);
    expect(isScope('accounts:write')).toBe(false);
    expect(isScope('toString')).toBe(false);
    expect(isScope(42)).toBe(false);
    expect(tierOf('accounts:write')).toBeUndefined();
  });

  it('high scopes need senior review, an FCA-regulated organisation and a client certificate', () => {
    expect(requiresSeniorReview(['identity:read'])).toBe(true);
    expect(requiresSeniorReview(['accounts:read', 'payments:initiate'])).toBe(true);
    expect(requirementsFor(['payments:initiate'])).toEqual({
      fcaRegulated: true,
      clientCertificate: true,
      seniorReview: true,
    });
  });

  it('low and medium scopes do not', () => {
    expect(requiresSeniorReview(['accounts:read', 'balances:read', 'transactions:read', 'payees:read'])).toBe(false);
    expect(requiresSeniorReview([])).toBe(false);
    expect(requirementsFor(['transactions:read'])).toEqual({
      fcaRegulated: false,
      clientCertificate: false,
      seniorReview: false,
    });
  });

  it('fails closed on an unknown scope', () => {
    expect(highestTier(['accounts:read', 'accounts:write'])).toBe('high');
    expect(requiresSeniorReview(['accounts:write'])).toBe(true);
    expect(highestTier([])).toBeUndefined();
    expect(highestTier(['balances:read', 'payees:read'])).toBe('medium');
  });
});

describe('security attestation', () => {
  it('asks the five items of the spec, each with a title and a 2-3 sentence explanation', () => {
    expect(SECURITY_ATTESTATION_ITEMS).toEqual([
      'tokensEncryptedAtRest',
      'leastPrivilege',
      'noCustomerDataInLogs',
      'breachNotification72h',
      'deleteOnConsentRevocation',
    ]);
    for (const item of SECURITY_ATTESTATION_ITEMS) {
      const { title, explanation } = SECURITY_ATTESTATION[item];
      expect(title.length).toBeGreaterThan(0);
      const sentences = explanation.split(/(?<=[.!?])\s+(?=[A-Z])/u);
      expect(sentences.length).toBeGreaterThanOrEqual(2);
      expect(sentences.length).toBeLessThanOrEqual(3);
    }
  });
});
