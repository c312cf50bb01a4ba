import { INVISIBLE_CHARACTERS, refusal, validateBody } from '../../../../test/harness/validation';
import { CreatePersonDto, UpdatePersonDto } from './person.dto';

const person = {
  firstName: 'Anneka',
  lastName: 'Vornholt',
  dateOfBirth: '1975-11-07',
  nationality: 'DE',
  roles: ['director'],
};

describe('people names (KYC): invisible characters are refused', () => {
  it.each(INVISIBLE_CHARACTERS)(
    'refuses a director whose surname holds a %s, naming the code point',
    async (_label, ch, code) => {
      const errors = await refusal(CreatePersonDto, { ...person, lastName: `Vorn${ch}holt` });
      expect(errors).toEqual([{ field: 'lastName', message: expect.stringContaining(`${code} at character 5`) }]);
    },
  );

  it('refuses the same in an update, and in either name field', async () => {
    expect((await refusal(UpdatePersonDto, { firstName: `\u200BAnneka` }))[0]).toMatchObject({
      field: 'firstName',
      message: expect.stringContaining('U+200B at character 1'),
    });
  });

  it('refuses look-alike letters from another alphabet inside a Latin word, and stray accents', async () => {
    expect((await refusal(CreatePersonDto, { ...person, lastName: 'V\u043Ernholt' }))[0].message).toMatch(
      /Cyrillic or Greek look-alikes in word 1/,
    );
    expect((await refusal(CreatePersonDto, { ...person, lastName: '\u0301Vornholt' }))[0].message).toMatch(
      /accents that are not on a letter/,
    );
    expect((await refusal(CreatePersonDto, { ...person, lastName: 'Vo\u0336\u0336\u0336rnholt' }))[0].message).toMatch(
      /accents/,
    );
  });

  it('accepts real names: accents (composed or not), apostrophes, hyphens, whole Cyrillic or Greek words', async () => {
    const ok = await validateBody(CreatePersonDto, {
      ...person,
      firstName: 'Zoe\u0308',
      lastName: "O'Neil-Kováč Евгений Παπαδόπουλος",
    });
    expect(ok).toMatchObject({ firstName: 'Zoë', lastName: "O'Neil-Kováč Евгений Παπαδόπουλος" });
  });

  it('turns Unicode spaces into one ASCII space rather than refusing them', async () => {
    const ok = await validateBody(CreatePersonDto, {
      ...person,
      firstName: '\u00A0Anneka\u2003\u3000Marisol ',
      lastName: 'Vorn\u202Fholt',
    });
    expect(ok).toMatchObject({ firstName: 'Anneka Marisol', lastName: 'Vorn holt' });
  });
});
