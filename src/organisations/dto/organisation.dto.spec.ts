import { INVISIBLE_CHARACTERS, refusal, validateBody } from '../../../test/harness/validation';
import { CreateOrganisationDto, UpdateOrganisationDto } from './organisation.dto';

const organisation = {
  legalName: 'Acme Payments Ltd',
  registrationNumber: '12345678',
  country: 'GB',
  registeredAddress: { line1: '1 King St', city: 'London', postcode: 'EC2V 8AU', country: 'GB' },
  regulatoryStatus: { type: 'unregulated' },
};

describe('organisation names (KYC): invisible characters are refused', () => {
  it.each(INVISIBLE_CHARACTERS)('refuses an organisation legal or trading name holding a %s', async (_label, ch) => {
    expect(
      (await refusal(CreateOrganisationDto, { ...organisation, legalName: `Acme Pay${ch}ments Ltd` }))[0].field,
    ).toBe('legalName');
    expect((await refusal(UpdateOrganisationDto, { tradingName: `Acme${ch}` }))[0].field).toBe('tradingName');
  });

  it('refuses look-alike letters from another alphabet inside a Latin word', async () => {
    expect(
      (await refusal(CreateOrganisationDto, { ...organisation, legalName: 'Acme P\u03B1yments Ltd' }))[0].message,
    ).toMatch(/word 2/);
  });

  it('turns Unicode spaces into one ASCII space rather than refusing them', async () => {
    const org = await validateBody(CreateOrganisationDto, { ...organisation, legalName: 'Acme\u00A0Payments  Ltd' });
    expect(org).toMatchObject({ legalName: 'Acme Payments Ltd' });
  });
});
