import { INVISIBLE_CHARACTERS, refusal, validateBody } from '../../../test/harness/validation';
import { CreateStaffDto, SignupDto } from './auth.dto';

describe('developer and staff display names: invisible characters are removed', () => {
  const signup = { email: 'ada@fintech.example', password: 'a long and uncommon passphrase 42' };

  it.each(INVISIBLE_CHARACTERS)('removes a %s from a developer name', async (_label, ch) => {
    const dto = (await validateBody(SignupDto, { ...signup, name: `Ada Love${ch}lace` })) as SignupDto;
    expect(dto.name).toBe(ch === '\n' ? 'Ada Love lace' : 'Ada Lovelace');
  });

  it('removes bidi overrides and a BOM from a staff name, and tidies spaces', async () => {
    const body = {
      email: 'r@bank.example',
      name: '\uFEFFRita\u00A0\u202EReviewer\u202C',
      role: 'reviewer',
      password: signup.password,
    };
    const staff = (await validateBody(CreateStaffDto, body)) as CreateStaffDto;
    expect(staff.name).toBe('Rita Reviewer');
  });

  it('still refuses a name that is nothing but invisible characters', async () => {
    expect((await refusal(SignupDto, { ...signup, name: '\u200B\u00AD\uFEFF' }))[0].field).toBe('name');
  });
});
