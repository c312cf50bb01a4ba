import { checkResult } from './check-result';

describe('checkResult', () => {
  it('puts the reason first and keeps the facts', () => {
    const r = checkResult('expiry', 'warn', 'No expiry date given', { expiresOn: null });
    expect(r).toEqual({ name: 'expiry', result: 'warn', detail: { reason: 'No expiry date given', expiresOn: null } });
    expect(Object.keys(r.detail)[0]).toBe('reason');
  });

  it('does not let a fact override the reason', () => {
    expect(checkResult('x', 'pass', 'the reason', { reason: 'other' }).detail.reason).toBe('the reason');
  });
});
