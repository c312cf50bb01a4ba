import { ArgumentMetadata } from '@nestjs/common';
import { CreateStaffDto, SignupDto } from '../../accounts/dto/auth.dto';
import { CreateAppDto } from '../../apps/dto/app.dto';
import { CreatePersonDto, UpdatePersonDto } from '../../kyc/people/dto/person.dto';
import { CreateOrganisationDto, UpdateOrganisationDto } from '../../organisations/dto/organisation.dto';
import { ValidationFailedError } from '../errors/domain-error';
import { createValidationPipe } from '../http/validation';
import { cleanDisplayName, kycNameProblem } from './names';

// The application's own pipe on the real DTOs, as a request body goes through it.
const pipe = createValidationPipe();
const run = (metatype: ArgumentMetadata['metatype'], body: unknown) => pipe.transform(body, { type: 'body', metatype });
async function refusal(metatype: ArgumentMetadata['metatype'], body: unknown): Promise<{ field: string; message: string }[]> {
  const error = await run(metatype, body).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedError);
  return (error as ValidationFailedError).errors;
}

const person = { firstName: 'Anneka', lastName: 'Vornholt', dateOfBirth: '1975-11-07', nationality: 'DE', roles: ['director'] };
const organisation = {
  legalName: 'Acme Payments Ltd',
  registrationNumber: '12345678',
  country: 'GB',
  registeredAddress: { line1: '1 King St', city: 'London', postcode: 'EC2V 8AU', country: 'GB' },
  regulatoryStatus: { type: 'unregulated' },
};

const INVISIBLE = [
  ['soft hyphen (the issue)', '\u00AD', 'U+00AD'],
  ['zero-width joiner', '\u200D', 'U+200D'],
  ['word joiner', '\u2060', 'U+2060'],
  ['byte order mark', '\uFEFF', 'U+FEFF'],
  ['right-to-left override', '\u202E', 'U+202E'],
  ['first strong isolate', '\u2068', 'U+2068'],
  ['Hangul filler', '\u3164', 'U+3164'],
  ['NUL', '\u0000', 'U+0000'],
  ['line feed', '\n', 'U+000A'],
] as const;

describe('KYC names (people, organisations): invisible characters are refused', () => {
  it.each(INVISIBLE)('refuses a director whose surname holds a %s, naming the code point', async (_label, ch, code) => {
    const errors = await refusal(CreatePersonDto, { ...person, lastName: `Vorn${ch}holt` });
    expect(errors).toEqual([{ field: 'lastName', message: expect.stringContaining(`${code} at character 5`) }]);
  });

  it('refuses the same in an update, and in either name field', async () => {
    expect((await refusal(UpdatePersonDto, { firstName: `\u200BAnneka` }))[0]).toMatchObject({ field: 'firstName', message: expect.stringContaining('U+200B at character 1') });
  });

  it.each(INVISIBLE)('refuses an organisation legal or trading name holding a %s', async (_label, ch) => {
    expect((await refusal(CreateOrganisationDto, { ...organisation, legalName: `Acme Pay${ch}ments Ltd` }))[0].field).toBe('legalName');
    expect((await refusal(UpdateOrganisationDto, { tradingName: `Acme${ch}` }))[0].field).toBe('tradingName');
  });

  it('refuses look-alike letters from another alphabet inside a Latin word, and stray accents', async () => {
    expect((await refusal(CreatePersonDto, { ...person, lastName: 'V\u043Ernholt' }))[0].message).toMatch(/Cyrillic or Greek look-alikes in word 1/);
    expect((await refusal(CreateOrganisationDto, { ...organisation, legalName: 'Acme P\u03B1yments Ltd' }))[0].message).toMatch(/word 2/);
    expect((await refusal(CreatePersonDto, { ...person, lastName: '\u0301Vornholt' }))[0].message).toMatch(/accents that are not on a letter/);
    expect((await refusal(CreatePersonDto, { ...person, lastName: 'Vo\u0336\u0336\u0336rnholt' }))[0].message).toMatch(/accents/);
  });

  it('accepts real names: accents (composed or not), apostrophes, hyphens, whole Cyrillic or Greek words', async () => {
    const ok = await run(CreatePersonDto, { ...person, firstName: 'Zoe\u0308', lastName: "O'Neil-Kováč Евгений Παπαδόπουλος" });
    expect(ok).toMatchObject({ firstName: 'Zoë', lastName: "O'Neil-Kováč Евгений Παπαδόπουλος" });
    expect(kycNameProblem('Nguyễn Thị Ánh')).toBeNull();
  });

  it('turns Unicode spaces into one ASCII space rather than refusing them', async () => {
    const ok = await run(CreatePersonDto, { ...person, firstName: '\u00A0Anneka\u2003\u3000Marisol ', lastName: 'Vorn\u202Fholt' });
    expect(ok).toMatchObject({ firstName: 'Anneka Marisol', lastName: 'Vorn holt' });
    const org = await run(CreateOrganisationDto, { ...organisation, legalName: 'Acme\u00A0Payments  Ltd' });
    expect(org).toMatchObject({ legalName: 'Acme Payments Ltd' });
  });
});

describe('display names (developers, staff, apps): invisible characters are removed', () => {
  const signup = { email: 'ada@fintech.example', password: 'a long and uncommon passphrase 42' };

  it.each(INVISIBLE)('removes a %s from a developer name', async (_label, ch) => {
    const dto = (await run(SignupDto, { ...signup, name: `Ada Love${ch}lace` })) as SignupDto;
    expect(dto.name).toBe(ch === '\n' ? 'Ada Love lace' : 'Ada Lovelace');
  });

  it('removes bidi overrides and a BOM from staff and app names, and tidies spaces', async () => {
    const staff = (await run(CreateStaffDto, { email: 'r@bank.example', name: '\uFEFFRita\u00A0\u202EReviewer\u202C', role: 'reviewer', password: signup.password })) as CreateStaffDto;
    expect(staff.name).toBe('Rita Reviewer');
    const app = (await run(CreateAppDto, { name: 'Budget\u200Bly \u2066App\u2069', description: 'Shows balances', redirectUris: ['https://a.example/cb'], scopes: ['accounts:read'] })) as CreateAppDto;
    expect(app.name).toBe('Budgetly App');
  });

  it('still refuses a name that is nothing but invisible characters', async () => {
    expect((await refusal(SignupDto, { ...signup, name: '\u200B\u00AD\uFEFF' }))[0].field).toBe('name');
    expect(cleanDisplayName('\u2028Ada\r\nLovelace\u0007')).toBe('Ada Lovelace');
  });
});
