import { DomainError } from '../common/errors/domain-error';
import { PRODUCTION_STATUSES, ProductionStatus } from './app.entity';
import {
  PRODUCTION_ACCESS_EVENTS,
  PRODUCTION_ACCESS_TRANSITIONS,
  ProductionAccessEvent,
  allowedProductionAccessEvents,
  nextProductionStatus,
} from './production-access.transitions';

describe('production-access transitions', () => {
  it.each<[ProductionStatus, ProductionAccessEvent, ProductionStatus]>([
    ['none', 'request', 'requested'],
    ['rejected', 'request', 'requested'],
    ['info_requested', 'request', 'requested'],
    ['requested', 'approve', 'approved'],
    ['requested', 'reject', 'rejected'],
    ['requested', 'request_info', 'info_requested'],
  ])('%s --%s--> %s', (from, event, to) => {
    expect(nextProductionStatus(from, event)).toBe(to);
  });

  it.each<[ProductionStatus, ProductionAccessEvent, string]>([
    ['requested', 'request', 'already waiting for review'],
    ['approved', 'request', 'already has production access'],
    ['none', 'approve', 'Cannot approve production access of an app that is none'],
    ['approved', 'reject', 'Cannot reject production access of an app that is approved'],
    ['info_requested', 'request_info', 'Cannot request_info'],
  ])('refuses %s --%s--> with a 409 saying why', (from, event, message) => {
    const attempt = () => nextProductionStatus(from, event);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining(message) }));
  });

  it('names the events still allowed, and none for a status it does not know', () => {
    expect(allowedProductionAccessEvents('requested')).toEqual(['approve', 'reject', 'request_info']);
    expect(allowedProductionAccessEvents('approved')).toEqual([]);
    const attempt = () => nextProductionStatus('revoked' as ProductionStatus, 'approve');
    expect(attempt).toThrow(
      expect.objectContaining({ extensions: { from: 'revoked', event: 'approve', allowedEvents: [] } }),
    );
  });

  it('uses only known statuses, and every status but approved has a way forward', () => {
    for (const event of PRODUCTION_ACCESS_EVENTS) {
      const rule = PRODUCTION_ACCESS_TRANSITIONS[event];
      for (const s of [...rule.from, rule.to]) expect(PRODUCTION_STATUSES).toContain(s);
    }
    const stuck = PRODUCTION_STATUSES.filter((s) => allowedProductionAccessEvents(s).length === 0);
    expect(stuck).toEqual(['approved']);
  });
});
