import fc from 'fast-check';
import { DECISION_REASONS } from '../consent';
import { decide } from '../consent-decision';
import {
  DENIAL_USEFULNESS,
  DecidingConsent,
  StandingApp,
  StandingOrganisation,
  decideAmong,
  inGoodStanding,
} from './decision-choice';

const now = Date.parse('2026-03-05T12:00:00Z');
const consent = (over: Partial<DecidingConsent> = {}): DecidingConsent => ({
  id: 'c1',
  status: 'active',
  scopes: ['accounts:read', 'transactions:read'],
  accountIds: ['A1'],
  windowFrom: '2026-01-01',
  windowTo: '2026-06-30',
  merchants: null,
  categories: ['car_finance', 'mortgage'],
  expiresAtMs: now + 86_400_000,
  appId: 'app',
  environment: 'sandbox',
  customerSub: 'sub',
  ...over,
});
const app: StandingApp = {
  id: 'app',
  organisationId: 'org',
  sandboxClientId: 'sbx',
  productionClientId: 'prd',
  productionStatus: 'approved',
  suspendedAt: null,
};
const org: StandingOrganisation = { id: 'org', verificationStatus: 'approved', requestedItems: [] };

describe('inGoodStanding', () => {
  it('keeps sandbox consents of an app whose organisation is still being verified', () => {
    expect(
      inGoodStanding(
        'sandbox',
        { ...app, productionStatus: 'none' },
        { ...org, verificationStatus: 'pending_review' },
        now,
      ),
    ).toBe(true);
  });

  it('stops sandbox consents of a suspended app or a suspended organisation', () => {
    expect(inGoodStanding('sandbox', { ...app, suspendedAt: new Date(now) }, org, now)).toBe(false);
    expect(inGoodStanding('sandbox', app, { ...org, verificationStatus: 'suspended' }, now)).toBe(false);
  });

  it('holds production consents to production standing: approved, not suspended, nothing past due', () => {
    expect(inGoodStanding('production', app, org, now)).toBe(true);
    expect(inGoodStanding('production', { ...app, productionStatus: 'requested' }, org, now)).toBe(false);
    expect(inGoodStanding('production', { ...app, suspendedAt: new Date(now) }, org, now)).toBe(false);
    expect(inGoodStanding('production', app, { ...org, verificationStatus: 'pending_review' }, now)).toBe(false);
    const pastDue = { ...org, requestedItems: [{ deadline: '2026-03-01T00:00:00Z', resolvedAt: null }] };
    expect(inGoodStanding('production', app, pastDue, now)).toBe(false);
    const answered = {
      ...org,
      requestedItems: [{ deadline: '2026-03-01T00:00:00Z', resolvedAt: '2026-02-27T00:00:00Z' }],
    };
    expect(inGoodStanding('production', app, answered, now)).toBe(true);
  });

  it('refuses an unknown app or organisation', () => {
    expect(inGoodStanding('sandbox', undefined, org, now)).toBe(false);
    expect(inGoodStanding('sandbox', app, undefined, now)).toBe(false);
  });
});

describe('decideAmong', () => {
  const always = () => true;

  it('answers no_consent without candidates', () => {
    expect(decideAmong([], always, 'accounts:read', undefined, now)).toEqual({
      reason: 'no_consent',
      consent: undefined,
    });
  });

  it('lets the first consent that allows win, even after denials', () => {
    const a1 = consent({ id: 'a1' });
    const a2 = consent({ id: 'a2', accountIds: ['A2'] });
    const chosen = decideAmong([a1, a2], always, 'transactions:read', { accountId: 'A2' }, now);
    expect(chosen).toEqual({ reason: 'allowed', consent: a2 });
  });

  it('gives the most useful denial: an active consent lacking the category beats an expired one', () => {
    const expired = consent({ id: 'old', expiresAtMs: now - 1 });
    const narrow = consent({ id: 'narrow' });
    const chosen = decideAmong([expired, narrow], always, 'transactions:read', { category: 'groceries' }, now);
    expect(chosen).toEqual({ reason: 'category_not_granted', consent: narrow });
  });

  it('keeps the first (most recent) of ended consents', () => {
    const revoked = consent({ id: 'r', status: 'revoked' });
    const expired = consent({ id: 'e', status: 'expired' });
    expect(decideAmong([revoked, expired], always, 'accounts:read', undefined, now)).toEqual({
      reason: 'revoked',
      consent: revoked,
    });
  });

  it('passes each consent its own standing', () => {
    const suspended = consent({ id: 's', appId: 'suspended' });
    const fine = consent({ id: 'f' });
    const standing = (c: DecidingConsent) => c.appId !== 'suspended';
    expect(decideAmong([suspended], standing, 'accounts:read', undefined, now).reason).toBe('app_suspended');
    expect(decideAmong([suspended, fine], standing, 'accounts:read', undefined, now).consent).toBe(fine);
  });

  it('ranks every reason, allowed above all denials', () => {
    for (const r of DECISION_REASONS) expect(DENIAL_USEFULNESS[r]).toBeLessThanOrEqual(DENIAL_USEFULNESS.allowed);
  });

  it('allows exactly when one candidate alone would, and then names one that does', () => {
    const arbitraryConsent = fc.record({
      id: fc.uuid(),
      status: fc.constantFrom('active', 'revoked', 'expired' as const),
      scopes: fc.subarray(['accounts:read', 'balances:read', 'transactions:read'], { minLength: 1 }),
      accountIds: fc.subarray(['A1', 'A2', 'A3'], { minLength: 1 }),
      categories: fc.option(fc.subarray(['car_finance', 'mortgage', 'groceries'], { minLength: 1 })),
      expiresAtMs: fc.constantFrom(now - 1, now + 1),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryConsent, { maxLength: 4 }),
        fc.constantFrom('accounts:read', 'balances:read', 'transactions:read'),
        fc.record({
          accountId: fc.constantFrom('A1', 'A2', 'A3'),
          category: fc.constantFrom('car_finance', 'groceries'),
        }),
        (partials, scope, resource) => {
          const cs = partials.map((p) => consent({ ...p, categories: p.categories }));
          const chosen = decideAmong(cs, always, scope, resource, now);
          const anyAllows = cs.some((c) => decide(c, true, scope, resource, now) === 'allowed');
          expect(chosen.reason === 'allowed').toBe(anyAllows);
          if (cs.length > 0) expect(decide(chosen.consent!, true, scope, resource, now)).toBe(chosen.reason);
          for (const c of cs)
            expect(DENIAL_USEFULNESS[decide(c, true, scope, resource, now)]).toBeLessThanOrEqual(
              DENIAL_USEFULNESS[chosen.reason],
            );
        },
      ),
    );
  });
});
