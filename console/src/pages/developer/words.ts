import type { components } from '../../api/schema';

/** Schemas of the developer's pages, from the API document (never written by hand). */
export type Organisation = components['schemas']['OrganisationAnswer'];
export type Person = components['schemas']['PersonAnswer'];
export type KybDocument = components['schemas']['DocumentAnswer'];
export type Check = components['schemas']['CheckAnswer'];
export type Verification = components['schemas']['VerificationAnswer'];
export type App = components['schemas']['AppAnswer'];
export type CreatedApp = components['schemas']['CreatedAppAnswer'];

/** Verification statuses in plain words (SPEC "Organisations (KYB)": verification states). */
export const STATUS_WORDS: Record<string, { label: string; color: string; meaning: string }> = {
  unverified: {
    label: 'Not yet submitted',
    color: 'gray',
    meaning: 'Add what is listed below, then submit your organisation for verification.',
  },
  submitted: {
    label: 'Submitted',
    color: 'blue',
    meaning: 'Thank you. Automated checks are running on what you sent; a reviewer looks at it next.',
  },
  pending_review: {
    label: 'Submitted, waiting for a reviewer',
    color: 'blue',
    meaning:
      'The automated checks have run. A reviewer at the bank will look at your case, usually within 2 working days.',
  },
  in_review: {
    label: 'Submitted, in review',
    color: 'blue',
    meaning: 'A reviewer is looking at your case now.',
  },
  awaiting_second_approval: {
    label: 'Submitted, awaiting a second reviewer',
    color: 'blue',
    meaning: 'A first reviewer approved; a senior reviewer confirms the decision.',
  },
  info_requested: {
    label: 'Information requested',
    color: 'orange',
    meaning: 'A reviewer asked for more. Answer the requests below and submit again.',
  },
  approved: {
    label: 'Approved',
    color: 'green',
    meaning: 'Your organisation is verified. You can ask for production access for your apps.',
  },
  rejected: {
    label: 'Rejected',
    color: 'red',
    meaning: 'The bank could not verify your organisation. The reasons are below.',
  },
  suspended: {
    label: 'Suspended',
    color: 'red',
    meaning: 'The bank suspended your organisation; production access is stopped. The reasons are below.',
  },
  expired: {
    label: 'Re-verification due',
    color: 'orange',
    meaning: 'Verification lapsed (12 months passed, or an identity document expired). Update and submit again.',
  },
};

/** Whether the developer may still add or change people and documents. */
export const isEditable = (status: string) =>
  status === 'unverified' || status === 'info_requested' || status === 'expired';

/** Whether the case is with Gatehouse or the bank (nothing for the developer to do but wait). */
export const isWaiting = (status: string) =>
  ['submitted', 'pending_review', 'in_review', 'awaiting_second_approval'].includes(status);

export const DOCUMENT_TYPE_WORDS: Record<string, string> = {
  passport: 'Passport',
  driving_licence: 'Driving licence',
  national_id: 'National identity card',
  proof_of_address: 'Proof of address',
  certificate_of_incorporation: 'Certificate of incorporation',
  shareholder_register: 'Shareholder register',
  regulatory_licence: 'Regulatory licence',
};

export const IDENTITY_TYPES = ['passport', 'driving_licence', 'national_id'];

/**
 * What each automated check looks at (SPEC "Automated checks"), said for someone who has never met
 * one. Sanctions screening is never shown to developers.
 */
export const CHECK_WORDS: Record<string, { title: string; about: string }> = {
  integrity: {
    title: 'File integrity',
    about:
      'The file opens as what it claims to be, is a sensible size, and (for PDFs) is not encrypted and has no scripts or attachments.',
  },
  mrz: {
    title: 'Machine-readable zone',
    about:
      'The two lines at the bottom of a passport or ID card: their check digits add up, and the name, date of birth, number and expiry match what you entered.',
  },
  expiry: {
    title: 'Expiry date',
    about: 'The document has not expired, and does not expire within 90 days (that only warns).',
  },
  duplicate: {
    title: 'Not used elsewhere',
    about: 'The same file or document number has not been used by another organisation.',
  },
  registry: {
    title: 'Company register',
    about:
      'The registration number has the right format for the country, and any FCA firm reference number is on the register.',
  },
};

export const RESULT_WORDS: Record<string, { label: string; color: string }> = {
  pass: { label: 'Passed', color: 'green' },
  warn: { label: 'Warning', color: 'yellow' },
  fail: { label: 'Failed', color: 'red' },
  error: { label: 'Could not run', color: 'gray' },
};

const personName = (people: Person[], id: string) => {
  const p = people.find((x) => x.id === id);
  return p ? `${p.firstName} ${p.lastName}` : 'a person';
};

/**
 * A requirement name (`person.<id>.identity_document`, `organisation.certificate_of_incorporation`,
 * src/kyc/verification/requirements.ts REQUIREMENT) as a sentence saying what to do.
 */
export function requirementWords(requirement: string, people: Person[]): string {
  const person = /^person\.([0-9a-f-]{36})\.(\w+)$/i.exec(requirement);
  if (person) {
    const who = personName(people, person[1]!);
    const what: Record<string, string> = {
      identity_document: `Upload an identity document (passport, driving licence or ID card) for ${who}.`,
      ownership_percent: `Give ${who}'s ownership percentage (beneficial owners hold 25% or more).`,
      first_name: `Give ${who}'s first name.`,
      last_name: `Give ${who}'s last name.`,
      date_of_birth: `Give ${who}'s date of birth.`,
      nationality: `Give ${who}'s nationality.`,
    };
    return what[person[2]!] ?? `Complete ${who}'s details (${person[2]}).`;
  }
  const organisation: Record<string, string> = {
    'organisation.legal_name': "Give the organisation's legal name.",
    'organisation.registration_number': "Give the organisation's company registration number.",
    'organisation.registered_address': "Give the organisation's registered address.",
    'organisation.country': 'Give the country the organisation is registered in.',
    'organisation.regulatory_status': 'Say whether the organisation is regulated by the FCA.',
    'organisation.firm_reference_number': "Give the FCA firm reference number (from the FCA's register).",
    'organisation.director': 'Add at least one director.',
    'organisation.ubo_ownership_total': "The beneficial owners' percentages add up to more than 100%: correct them.",
    'organisation.certificate_of_incorporation': 'Upload the certificate of incorporation.',
    'organisation.reverification': 'Check your details are still right and submit again (yearly re-verification).',
  };
  return organisation[requirement] ?? requirement;
}

/** "1.2 MB" for a byte count. */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
