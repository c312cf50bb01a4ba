import { DomainError } from '../../common/errors/domain-error';
import {
  InvalidTransitionError,
  VERIFICATION_EVENTS,
  VERIFICATION_STATUSES,
  VERIFICATION_TRANSITIONS,
  VerificationEvent,
  VerificationStatus,
  allowedEvents,
  isEditable,
  isVerificationEvent,
  isVerificationStatus,
  nextStatus,
} from './verification.transitions';

/** The table, written out independently, so an accidental edit of the source table is caught. */
const EXPECTED: [VerificationStatus, VerificationEvent, VerificationStatus][] = [
  ['unverified', 'submit', 'submitted'],
  ['info_requested', 'submit', 'submitted'],
  ['submitted', 'checks_completed', 'pending_review'],
  ['pending_review', 'review_started', 'in_review'],
  ['in_review', 'review_released', 'pending_review'],
  ['in_review', 'approve', 'approved'],
  ['in_review', 'approve_high_risk', 'awaiting_second_approval'],
  ['awaiting_second_approval', 'second_approve', 'approved'],
  ['in_review', 'reject', 'rejected'],
  ['awaiting_second_approval', 'reject', 'rejected'],
  ['in_review', 'request_info', 'info_requested'],
  ['awaiting_second_approval', 'request_info', 'info_requested'],
  ['approved', 'suspend', 'suspended'],
  ['suspended', 'reinstate', 'approved'],
  ['approved', 'expire', 'expired'],
  ['expired', 'resubmit', 'submitted'],
];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('verification transitions', () => {
  it.each(EXPECTED)('%s --%s--> %s', (from, event, to) => {
    expect(nextStatus(from, event)).toBe(to);
  });

  it('allows exactly the listed transitions and refuses every other (status, event) pair', () => {
    const allowed = new Set(EXPECTED.map(([from, event]) => `${from}:${event}`));
    for (const from of VERIFICATION_STATUSES) {
      for (const event of VERIFICATION_EVENTS) {
        if (allowed.has(`${from}:${event}`)) expect(() => nextStatus(from, event)).not.toThrow();
        else expect(() => nextStatus(from, event)).toThrow(InvalidTransitionError);
      }
    }
    expect(VERIFICATION_EVENTS).toHaveLength(new Set(EXPECTED.map(([, event]) => event)).size);
  });

  it.each<[VerificationStatus, VerificationEvent]>([
    ['unverified', 'approve'],
    ['submitted', 'submit'], // a double submit is refused
    ['pending_review', 'submit'],
    ['submitted', 'approve'],
    ['pending_review', 'approve'],
    ['awaiting_second_approval', 'approve'], // the first reviewer cannot finish it alone
    ['awaiting_second_approval', 'review_started'],
    ['in_review', 'second_approve'],
    ['approved', 'approve'],
    ['rejected', 'submit'],
    ['rejected', 'resubmit'],
    ['expired', 'submit'],
    ['approved', 'reinstate'],
    ['suspended', 'expire'],
    ['info_requested', 'checks_completed'],
  ])('refuses %s --%s-->', (from, event) => {
    expect(() => nextStatus(from, event)).toThrow(InvalidTransitionError);
  });

  it('says what was refused and what is allowed instead, as a 409-mapped domain error', () => {
    const err = thrown(() => nextStatus('submitted', 'submit')) as InvalidTransitionError;
    expect(err).toBeInstanceOf(InvalidTransitionError);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('invalid_state');
    expect(err.from).toBe('submitted');
    expect(err.event).toBe('submit');
    expect(err.allowedEvents).toEqual(['checks_completed']);
    expect(err.extensions).toEqual({ from: 'submitted', event: 'submit', allowedEvents: ['checks_completed'] });
    expect(err.message).toBe('Cannot submit a verification that is submitted (allowed: checks_completed)');
    expect(err.name).toBe('InvalidTransitionError');
  });

  it('refuses anything from the terminal status with an empty allowed list', () => {
    const err = thrown(() => nextStatus('rejected', 'approve')) as InvalidTransitionError;
    expect(err.allowedEvents).toEqual([]);
    expect(err.message).toContain('no further transitions');
  });

  it('refuses unknown events and statuses arriving untyped', () => {
    expect(() => nextStatus('in_review', 'toString' as VerificationEvent)).toThrow(InvalidTransitionError);
    expect(() => nextStatus('in_review', '__proto__' as VerificationEvent)).toThrow(InvalidTransitionError);
    expect(() => nextStatus('bogus' as VerificationStatus, 'submit')).toThrow(InvalidTransitionError);
    expect(allowedEvents('bogus' as VerificationStatus)).toEqual([]);
  });

  it('lists the allowed events per status', () => {
    expect(allowedEvents('unverified')).toEqual(['submit']);
    expect(allowedEvents('in_review')).toEqual([
      'review_released',
      'approve',
      'approve_high_risk',
      'reject',
      'request_info',
    ]);
    expect(allowedEvents('awaiting_second_approval')).toEqual(['second_approve', 'reject', 'request_info']);
    expect(allowedEvents('approved')).toEqual(['suspend', 'expire']);
    expect(allowedEvents('rejected')).toEqual([]);
    for (const from of VERIFICATION_STATUSES) {
      for (const event of allowedEvents(from)) expect(() => nextStatus(from, event)).not.toThrow();
    }
  });

  it('is editable only while unverified or info_requested', () => {
    const editable = VERIFICATION_STATUSES.filter(isEditable);
    expect(editable).toEqual(['unverified', 'info_requested']);
    // editable exactly where the developer may submit from
    expect(editable).toEqual([...VERIFICATION_TRANSITIONS.submit.from]);
  });

  it('recognises statuses and events', () => {
    expect(isVerificationStatus('in_review')).toBe(true);
    expect(isVerificationStatus('in-review')).toBe(false);
    expect(isVerificationStatus(undefined)).toBe(false);
    expect(isVerificationEvent('approve')).toBe(true);
    expect(isVerificationEvent('hasOwnProperty')).toBe(false);
  });

  describe('graph', () => {
    const successors = (s: VerificationStatus) => allowedEvents(s).map((e) => nextStatus(s, e));

    function reachableFrom(start: VerificationStatus): Set<VerificationStatus> {
      const seen = new Set<VerificationStatus>([start]);
      const queue = [start];
      while (queue.length) {
        for (const next of successors(queue.shift()!)) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      return seen;
    }

    it('reaches every status from unverified (none is unreachable by design)', () => {
      const unreachable = VERIFICATION_STATUSES.filter((s) => !reachableFrom('unverified').has(s));
      expect(unreachable).toEqual([]);
    });

    it('never returns to unverified', () => {
      const into = VERIFICATION_STATUSES.filter((s) => successors(s).includes('unverified'));
      expect(into).toEqual([]);
    });

    it('has rejected as its only terminal status', () => {
      expect(VERIFICATION_STATUSES.filter((s) => allowedEvents(s).length === 0)).toEqual(['rejected']);
    });

    it('lets every non-terminal status still reach a decision (no trap)', () => {
      for (const s of VERIFICATION_STATUSES) {
        const reach = reachableFrom(s);
        expect([s, reach.has('approved') || reach.has('rejected')]).toEqual([s, true]);
      }
    });

    it('reaches approved only through a reviewer decision', () => {
      const into = EXPECTED.filter(([, , to]) => to === 'approved').map(([, event]) => event);
      expect(into.sort()).toEqual(['approve', 'reinstate', 'second_approve']);
    });

    it('has targets and sources that are all known statuses', () => {
      for (const event of VERIFICATION_EVENTS) {
        const rule = VERIFICATION_TRANSITIONS[event];
        expect(isVerificationStatus(rule.to)).toBe(true);
        for (const from of rule.from) expect(isVerificationStatus(from)).toBe(true);
      }
    });
  });
});
