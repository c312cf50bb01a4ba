import { CheckResult } from './check-result';
import { riskLevel } from './risk.rules';

const check = (name: string, result: CheckResult['result'], reason = `${name} ${result}`): CheckResult => ({
  name,
  result,
  detail: { reason },
});
const passes = [check('integrity', 'pass'), check('mrz', 'pass'), check('expiry', 'pass')];

describe('riskLevel', () => {
  it('is low when every check passes, no sanctions hit and the organisation is unregulated', () => {
    const r = riskLevel({ checks: passes, sanctionsHit: false, regulatoryStatus: 'unregulated' });
    expect(r.level).toBe('low');
    expect(r.reasons).toHaveLength(1);
  });

  it('is low with no checks at all (nothing to hold against it)', () => {
    expect(riskLevel({ checks: [], sanctionsHit: false, regulatoryStatus: 'unregulated' }).level).toBe('low');
  });

  it('is high when any check fails, with its reason', () => {
    const r = riskLevel({
      checks: [...passes, check('expiry', 'fail', 'The document expired on 2025-01-01')],
      sanctionsHit: false,
      regulatoryStatus: 'unregulated',
    });
    expect(r).toEqual({ level: 'high', reasons: ['check expiry failed: The document expired on 2025-01-01'] });
  });

  it('is high on a sanctions hit even when every check passes', () => {
    const r = riskLevel({ checks: passes, sanctionsHit: true, regulatoryStatus: 'unregulated' });
    expect(r).toEqual({ level: 'high', reasons: ['sanctions screening found a possible match'] });
  });

  it('is medium when a check warns', () => {
    const r = riskLevel({
      checks: [...passes, check('registration_number_format', 'warn', 'format not checked for FR')],
      sanctionsHit: false,
      regulatoryStatus: 'unregulated',
    });
    expect(r).toEqual({
      level: 'medium',
      reasons: ['check registration_number_format warned: format not checked for FR'],
    });
  });

  it('is medium, and says so, when a check could not run', () => {
    const r = riskLevel({
      checks: [...passes, check('sanctions', 'error', 'the list file could not be read')],
      sanctionsHit: false,
      regulatoryStatus: 'unregulated',
    });
    expect(r.level).toBe('medium');
    expect(r.reasons).toEqual(['check sanctions could not run, so it proves nothing: the list file could not be read']);
  });

  it.each(['fca_authorised', 'fca_registered'] as const)('is medium for a regulated status (%s)', (status) => {
    const r = riskLevel({ checks: passes, sanctionsHit: false, regulatoryStatus: status });
    expect(r.level).toBe('medium');
    expect(r.reasons[0]).toContain('FCA');
  });

  it('lists every reason, high ones first, when several rules apply', () => {
    const r = riskLevel({
      checks: [check('mrz', 'warn', 'w'), check('integrity', 'fail', 'f'), check('sanctions', 'error', 'e')],
      sanctionsHit: true,
      regulatoryStatus: 'fca_authorised',
    });
    expect(r.level).toBe('high');
    expect(r.reasons).toEqual([
      'sanctions screening found a possible match',
      'check integrity failed: f',
      'check mrz warned: w',
      'check sanctions could not run, so it proves nothing: e',
      'the organisation is FCA authorised (a regulated business)',
    ]);
  });

  it('omits an empty reason', () => {
    const r = riskLevel({
      checks: [{ name: 'mrz', result: 'warn', detail: {} }],
      sanctionsHit: false,
      regulatoryStatus: 'unregulated',
    });
    expect(r.reasons).toEqual(['check mrz warned']);
  });

  it('never treats an unknown result or status (bad stored data) as low', () => {
    const odd = { name: 'x', result: 'maybe', detail: {} } as unknown as CheckResult;
    expect(riskLevel({ checks: [odd], sanctionsHit: false, regulatoryStatus: 'unregulated' }).level).toBe('medium');
    expect(riskLevel({ checks: [], sanctionsHit: false, regulatoryStatus: 'pra' as never }).level).toBe('medium');
  });
});
