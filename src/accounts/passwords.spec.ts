import { hashPassword, passwordProblem, verifyPassword } from './passwords';

describe('password rules', () => {
  it('accepts a long passphrase with no composition rules', () => {
    expect(passwordProblem('correct horse battery staple')).toBeUndefined();
    expect(passwordProblem('allowercaseletterswithnodigits')).toBeUndefined();
    expect(passwordProblem('x'.repeat(3) + 'é mañana será otro día')).toBeUndefined();
  });

  it('refuses short passwords and absurdly long ones', () => {
    expect(passwordProblem('Sh0rt!Pass')).toMatch(/at least 15/);
    expect(passwordProblem('a b c '.repeat(60))).toMatch(/at most 256/);
  });

  it('refuses common passwords and long variants of them', () => {
    expect(passwordProblem('123456789987654321')).toMatch(/common/);
    expect(passwordProblem('passwordpassword')).toMatch(/common password repeated/);
    expect(passwordProblem('password12345678!')).toMatch(/common password with/);
    expect(passwordProblem('aaaaaaaaaaaaaaaaaaa')).toMatch(/too few different/);
    expect(passwordProblem('abababababababab')).toMatch(/too few different|repeated/);
    expect(passwordProblem('passwordpassword1234')).toMatch(/repeated/);
  });

  it('hashes with argon2id and verifies NFKC-equivalent input', async () => {
    const hash = await hashPassword('ﬁne tuned passphrase here');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'fine tuned passphrase here')).toBe(true);
    expect(await verifyPassword(hash, 'fine tuned passphrase hero')).toBe(false);
  });
});
