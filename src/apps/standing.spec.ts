import { productionStanding, StandingInput } from './standing';

const now = new Date('2026-11-28T12:00:00Z');
const good: StandingInput = {
  productionStatus: 'approved',
  appSuspendedAt: null,
  organisationStatus: 'approved',
  requestedItems: [],
};

describe('productionStanding', () => {
  it('lets an approved app of an approved organisation in', () => {
    expect(productionStanding(good, now)).toEqual({ ok: true });
  });

  it.each(['none', 'requested', 'info_requested', 'rejected'] as const)(
    'refuses an app whose production status is %s',
    (productionStatus) => {
      expect(productionStanding({ ...good, productionStatus }, now)).toMatchObject({
        ok: false,
        problem: 'not_approved',
      });
    },
  );

  it('refuses a suspended app', () => {
    expect(productionStanding({ ...good, appSuspendedAt: new Date('2026-11-01') }, now)).toMatchObject({
      ok: false,
      problem: 'app_suspended',
    });
  });

  it.each(['suspended', 'expired', 'info_requested', 'in_review', 'rejected'])(
    'refuses while the organisation is %s',
    (organisationStatus) => {
      expect(productionStanding({ ...good, organisationStatus }, now)).toMatchObject({
        ok: false,
        problem: 'organisation_not_approved',
        detail: expect.stringContaining(organisationStatus),
      });
    },
  );

  it('refuses once a requested item passes its deadline unanswered, and not before or after it is answered', () => {
    const item = { deadline: '2026-11-28T12:00:00.000Z', resolvedAt: null };
    expect(productionStanding({ ...good, requestedItems: [item] }, new Date('2026-11-28T11:59:59Z'))).toEqual({
      ok: true,
    });
    expect(productionStanding({ ...good, requestedItems: [item] }, now)).toMatchObject({
      ok: false,
      problem: 'requirement_past_due',
    });
    expect(
      productionStanding({ ...good, requestedItems: [{ ...item, resolvedAt: '2026-11-27T00:00:00Z' }] }, now),
    ).toEqual({ ok: true });
  });
});
