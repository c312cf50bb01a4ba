import { CHECK_EXPLANATIONS } from './check-view';
import { ORGANISATION_CHECK_NAMES, documentCheckNames } from './checks.service';

describe('check explanations', () => {
  it('describe every check the workers run, so no reviewer sees a result without what it looked at', () => {
    const names = new Set([
      ...ORGANISATION_CHECK_NAMES,
      ...documentCheckNames({ type: 'passport', mrz: 'P<GBR…' }),
      ...documentCheckNames({ type: 'certificate_of_incorporation', mrz: null }),
    ]);
    for (const name of names)
      expect({ name, explanation: CHECK_EXPLANATIONS[name] }).toEqual({
        name,
        explanation: expect.stringMatching(/\w{3,}/),
      });
    expect(Object.keys(CHECK_EXPLANATIONS).sort()).toEqual([...names].sort());
  });
});
