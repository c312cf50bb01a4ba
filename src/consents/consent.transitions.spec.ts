import { DomainError } from '../common/errors/domain-error';
import { CONSENT_STATUSES, ConsentStatus, REVOKED_BY, RevokedBy } from './consent';
import { CONSENT_TRANSITIONS, ConsentEvent, endingEvent, nextConsentStatus } from './consent.transitions';

const EVENTS = Object.keys(CONSENT_TRANSITIONS) as ConsentEvent[];

/** The whole table, written out (SPEC "Customer consents"): only an active consent moves. */
const EXPECTED: Record<ConsentEvent, { to: ConsentStatus; by: RevokedBy[] }> = {
  narrow: { to: 'active', by: ['customer'] },
  revoke: { to: 'revoked', by: ['customer', 'app', 'inactivity', 'staff'] },
  expire: { to: 'expired', by: ['expiry'] },
};

describe('consent transitions', () => {
  const cells = CONSENT_STATUSES.flatMap((from) =>
    EVENTS.flatMap((event) => REVOKED_BY.map((by) => [from, event, by] as const)),
  );

  it.each(cells)('%s --%s by %s-->', (from, event, by) => {
    const attempt = () => nextConsentStatus(from, event, by);
    const rule = EXPECTED[event];
    if (!rule.by.includes(by)) {
      // A cause that may never fire this event is a programming error, not a 409 for the caller.
      expect(attempt).toThrow(`${by} cannot ${event} a consent`);
      expect(attempt).not.toThrow(DomainError);
    } else if (from === 'active') {
      expect(attempt()).toBe(rule.to);
    } else {
      expect(attempt).toThrow(DomainError);
      expect(attempt).toThrow(
        expect.objectContaining({
          code: 'conflict',
          message: expect.stringContaining(`The consent is ${from}`),
        }),
      );
    }
  });

  it('has exactly the events of the table', () => {
    expect(EVENTS.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('ends a consent by expiring it for expiry and revoking it for every other cause', () => {
    for (const by of REVOKED_BY) {
      const event = endingEvent(by);
      expect(event).toBe(by === 'expiry' ? 'expire' : 'revoke');
      // The ending event of every cause is one that cause may fire.
      expect(nextConsentStatus('active', event, by)).toBe(by === 'expiry' ? 'expired' : 'revoked');
    }
  });

  it('refuses a status it does not know with a 409 that does not echo it as a status', () => {
    const attempt = () => nextConsentStatus('suspended' as ConsentStatus, 'revoke', 'customer');
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'conflict',
        message: expect.stringContaining('in an unknown state'),
      }),
    );
  });
});
