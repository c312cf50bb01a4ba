import { INVISIBLE_CHARACTERS } from '../../../test/harness/validation';
import { cleanDisplayName, kycNameProblem } from './names';

// The decorators on each area's DTOs are specified beside those DTOs (person.dto.spec.ts,
// organisation.dto.spec.ts, auth.dto.spec.ts, app.dto.spec.ts); these are the two rules they apply.
describe('kycNameProblem', () => {
  it.each(INVISIBLE_CHARACTERS)('names a %s and where it stands', (_label, ch, code) => {
    expect(kycNameProblem(`Vorn${ch}holt`)).toContain(`${code} at character 5`);
  });

  it('accepts real names with accents, in several scripts', () => {
    expect(kycNameProblem('Nguyễn Thị Ánh')).toBeNull();
    expect(kycNameProblem("O'Neil-Kováč Евгений Παπαδόπουλος")).toBeNull();
  });
});

describe('cleanDisplayName', () => {
  it('removes invisible and control characters and folds spaces', () => {
    expect(cleanDisplayName('\u2028Ada\r\nLovelace\u0007')).toBe('Ada Lovelace');
    expect(cleanDisplayName('\uFEFFRita\u00A0\u202EReviewer\u202C')).toBe('Rita Reviewer');
  });
});
