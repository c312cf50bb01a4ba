import { EXPIRY_WARNING_DAYS, checkExpiry } from './expiry';

// Late in the UTC day: the check works on calendar days, not on instants.
const NOW = new Date('2026-03-10T23:30:00.000Z');

describe('checkExpiry', () => {
  it('warns when no expiry date is given', () => {
    for (const none of [null, undefined, '', '  ']) {
      const r = checkExpiry(none, NOW);
      expect(r).toEqual({
        name: 'expiry',
        result: 'warn',
        detail: { reason: 'No expiry date given', expiresOn: null },
      });
    }
  });

  it('fails an expired document (yesterday) and says when it expired', () => {
    const r = checkExpiry('2026-03-09', NOW);
    expect(r.result).toBe('fail');
    expect(r.detail).toMatchObject({ reason: 'The document expired on 2026-03-09, 1 day ago', daysLeft: -1 });
  });

  it('fails a long-expired document', () => {
    expect(checkExpiry('2012-04-15', NOW)).toMatchObject({ result: 'fail', detail: { expiresOn: '2012-04-15' } });
  });

  it('warns on the expiry day itself: the document is valid through that day', () => {
    expect(checkExpiry('2026-03-10', NOW)).toMatchObject({
      result: 'warn',
      detail: { daysLeft: 0, reason: expect.stringContaining('today') },
    });
  });

  it('warns up to and including 90 days ahead', () => {
    expect(EXPIRY_WARNING_DAYS).toBe(90);
    expect(checkExpiry('2026-03-11', NOW)).toMatchObject({ result: 'warn', detail: { daysLeft: 1 } });
    // 2026-03-10 + 90 days = 2026-06-08
    expect(checkExpiry('2026-06-08', NOW)).toMatchObject({
      result: 'warn',
      detail: { daysLeft: 90, reason: expect.stringContaining('in 90 days') },
    });
  });

  it('passes from 91 days ahead', () => {
    expect(checkExpiry('2026-06-09', NOW)).toMatchObject({ result: 'pass', detail: { daysLeft: 91 } });
    expect(checkExpiry('2031-05-01', NOW).result).toBe('pass');
  });

  it('uses the UTC calendar day of now, whatever the time', () => {
    const earlyMorning = new Date('2026-03-10T00:00:00.000Z');
    expect(checkExpiry('2026-03-09', earlyMorning).result).toBe('fail');
    expect(checkExpiry('2026-03-10', earlyMorning).result).toBe('warn');
    expect(checkExpiry('2026-06-09', earlyMorning).result).toBe('pass');
  });

  it('fails a date it cannot read', () => {
    for (const bad of ['2026-02-30', '10/03/2026', '2026-3-1', 'soon']) {
      const r = checkExpiry(bad, NOW);
      expect(r.result).toBe('fail');
      expect(r.detail.reason).toContain('not a valid YYYY-MM-DD date');
    }
  });

  it('handles leap days', () => {
    expect(checkExpiry('2028-02-29', NOW).result).toBe('pass');
  });
});
