import {
  RequirementsDocument,
  RequirementsInput,
  RequirementsPerson,
  addMonthsUtc,
  deriveRequirements,
  reverificationDueAt,
} from './requirements';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const DAY = 86_400_000;

/** 'YYYY-MM-DD' that many days after NOW's UTC date. */
function dayOffset(days: number): string {
  return new Date(NOW.getTime() + days * DAY).toISOString().slice(0, 10);
}

const DIRECTOR_ID = '11111111-1111-4111-8111-111111111111';
const UBO_ID = '22222222-2222-4222-8222-222222222222';

function person(overrides: Partial<RequirementsPerson> & { id: string }): RequirementsPerson {
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1985-12-10',
    nationality: 'GB',
    roles: ['director'],
    ...overrides,
  };
}

let docSeq = 0;
function doc(overrides: Partial<RequirementsDocument> & Pick<RequirementsDocument, 'type'>): RequirementsDocument {
  docSeq += 1;
  return { id: `doc-${docSeq}`, personId: null, expiresOn: null, status: 'checked', ...overrides };
}

function complete(): RequirementsInput {
  return {
    organisation: {
      legalName: 'Acme Payments Ltd',
      registrationNumber: '01234567',
      country: 'GB',
      registeredAddress: { line1: '1 High Street', city: 'London', postcode: 'EC1A 1BB', country: 'GB' },
      regulatoryStatus: { type: 'fca_authorised', firmReferenceNumber: '123456' },
    },
    people: [
      person({ id: DIRECTOR_ID }),
      person({ id: UBO_ID, firstName: 'Grace', roles: ['ubo'], ownershipPercent: 60 }),
    ],
    documents: [
      doc({ type: 'certificate_of_incorporation' }),
      doc({ type: 'passport', personId: DIRECTOR_ID, expiresOn: '2031-01-01' }),
      doc({ type: 'driving_licence', personId: UBO_ID, expiresOn: '2030-06-30' }),
    ],
    requestedItems: [],
    approvedAt: null,
  };
}

const nothing = { currentlyDue: [], eventuallyDue: [], pastDue: [], errors: [] };

describe('deriveRequirements', () => {
  it('has nothing due for a complete organisation', () => {
    expect(deriveRequirements(complete(), NOW)).toEqual(nothing);
  });

  it('lists every missing item by name for an empty organisation', () => {
    const r = deriveRequirements({ organisation: {}, people: [], documents: [] }, NOW);
    expect(r).toEqual({
      currentlyDue: [
        'organisation.certificate_of_incorporation',
        'organisation.country',
        'organisation.director',
        'organisation.legal_name',
        'organisation.registered_address',
        'organisation.registration_number',
        'organisation.regulatory_status',
      ],
      eventuallyDue: [],
      pastDue: [],
      errors: [],
    });
  });

  it('lists every missing item for a blank FCA-authorised draft', () => {
    const r = deriveRequirements(
      {
        organisation: {
          legalName: '  ',
          registrationNumber: '',
          country: '',
          registeredAddress: { line1: '', city: '', postcode: '', country: '' },
          regulatoryStatus: { type: 'fca_authorised' },
        },
        people: [],
        documents: [],
      },
      NOW,
    );
    expect(r.currentlyDue).toEqual([
      'organisation.certificate_of_incorporation',
      'organisation.country',
      'organisation.director',
      'organisation.firm_reference_number',
      'organisation.legal_name',
      'organisation.registered_address',
      'organisation.registration_number',
    ]);
  });

  describe('organisation details', () => {
    it.each([
      ['legalName', 'organisation.legal_name'],
      ['registrationNumber', 'organisation.registration_number'],
      ['country', 'organisation.country'],
    ] as const)('requires %s', (field, requirement) => {
      const input = complete();
      input.organisation[field] = ' ';
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual([requirement]);
      input.organisation[field] = null;
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual([requirement]);
    });

    it.each(['line1', 'city', 'postcode', 'country'] as const)('requires the registered address %s', (field) => {
      const input = complete();
      input.organisation.registeredAddress = { ...input.organisation.registeredAddress, [field]: '' };
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual(['organisation.registered_address']);
    });

    it('requires a registered address at all', () => {
      const input = complete();
      input.organisation.registeredAddress = null;
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual(['organisation.registered_address']);
    });
  });

  describe('FCA firm reference number', () => {
    it.each(['fca_authorised', 'fca_registered'] as const)('is required when %s', (type) => {
      const input = complete();
      input.organisation.regulatoryStatus = { type };
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual(['organisation.firm_reference_number']);
      input.organisation.regulatoryStatus = { type, firmReferenceNumber: '   ' };
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual(['organisation.firm_reference_number']);
      input.organisation.regulatoryStatus = { type, firmReferenceNumber: '987654' };
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual([]);
    });

    it('is not required when unregulated', () => {
      const input = complete();
      input.organisation.regulatoryStatus = { type: 'unregulated' };
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });
  });

  describe('people', () => {
    it('requires at least one director', () => {
      const input = complete();
      input.people = input.people.filter((p) => p.id !== DIRECTOR_ID);
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual(['organisation.director']);
    });

    it('accepts one person who is both director and UBO', () => {
      const input = complete();
      input.people = [person({ id: DIRECTOR_ID, roles: ['director', 'ubo'], ownershipPercent: 100 })];
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    it('does not require a UBO (a widely held company may have none)', () => {
      const input = complete();
      input.people = input.people.filter((p) => p.id !== UBO_ID);
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    it.each([
      [undefined, 'needs their ownership percentage'],
      [null, 'needs their ownership percentage'],
      [Number.NaN, 'needs their ownership percentage'],
      [24.99, 'below'],
      [100.01, 'cannot exceed 100%'],
    ])('refuses a UBO holding %p', (pct, message) => {
      const input = complete();
      input.people = [input.people[0], { ...input.people[1], ownershipPercent: pct }];
      const r = deriveRequirements(input, NOW);
      expect(r.currentlyDue).toEqual([`person.${UBO_ID}.ownership_percent`]);
      expect(r.errors).toEqual([
        { requirement: `person.${UBO_ID}.ownership_percent`, message: expect.stringContaining(message) },
      ]);
    });

    it('accepts a UBO at exactly 25%', () => {
      const input = complete();
      input.people = [input.people[0], { ...input.people[1], ownershipPercent: 25 }];
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    it('refuses UBO percentages adding up to more than 100', () => {
      const input = complete();
      const third = person({ id: '33333333-3333-4333-8333-333333333333', roles: ['ubo'], ownershipPercent: 41 });
      input.people = [...input.people, third];
      input.documents = [...input.documents, doc({ type: 'national_id', personId: third.id })];
      const r = deriveRequirements(input, NOW);
      expect(r.currentlyDue).toEqual(['organisation.ubo_ownership_total']);
      expect(r.errors).toEqual([
        { requirement: 'organisation.ubo_ownership_total', message: expect.stringContaining('101%') },
      ]);
    });

    it('accepts UBO percentages adding up to exactly 100 despite floating point', () => {
      const input = complete();
      const ids = ['a', 'b', 'c'];
      input.people = [
        input.people[0],
        ...ids.map((id, i) => person({ id, roles: ['ubo'], ownershipPercent: [33.33, 33.33, 33.34][i] })),
      ];
      input.documents = [...input.documents, ...ids.map((id) => doc({ type: 'passport', personId: id }))];
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    it('requires each person’s details', () => {
      const input = complete();
      input.people = [
        person({ id: DIRECTOR_ID, firstName: '', lastName: null, dateOfBirth: null, nationality: ' ' }),
        input.people[1],
      ];
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual([
        `person.${DIRECTOR_ID}.date_of_birth`,
        `person.${DIRECTOR_ID}.first_name`,
        `person.${DIRECTOR_ID}.last_name`,
        `person.${DIRECTOR_ID}.nationality`,
      ]);
    });
  });

  describe('identity documents', () => {
    it.each([DIRECTOR_ID, UBO_ID])('requires one for every director and UBO (%s)', (id) => {
      const input = complete();
      input.documents = input.documents.filter((d) => d.personId !== id);
      expect(deriveRequirements(input, NOW)).toEqual({ ...nothing, currentlyDue: [`person.${id}.identity_document`] });
    });

    it('does not require one for a person with neither role', () => {
      const input = complete();
      input.people = [...input.people, person({ id: 'bystander', roles: [] })];
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    it.each(['passport', 'driving_licence', 'national_id'] as const)('accepts a %s', (type) => {
      const input = complete();
      input.documents = [
        doc({ type: 'certificate_of_incorporation' }),
        doc({ type, personId: DIRECTOR_ID }),
        doc({ type, personId: UBO_ID }),
      ];
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    it('does not count a non-identity document, or one belonging to someone else', () => {
      const input = complete();
      input.documents = [
        doc({ type: 'certificate_of_incorporation' }),
        doc({ type: 'proof_of_address', personId: DIRECTOR_ID }),
        doc({ type: 'passport', personId: UBO_ID }),
      ];
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual([`person.${DIRECTOR_ID}.identity_document`]);
    });

    it.each(['deleted', 'rejected'])('does not count a %s document', (status) => {
      const input = complete();
      input.documents = input.documents.map((d) =>
        d.personId === DIRECTOR_ID || d.type === 'certificate_of_incorporation' ? { ...d, status } : d,
      );
      expect(deriveRequirements(input, NOW).currentlyDue).toEqual([
        'organisation.certificate_of_incorporation',
        `person.${DIRECTOR_ID}.identity_document`,
      ]);
    });

    it('counts a document still being checked', () => {
      const input = complete();
      input.documents = input.documents.map((d) => ({ ...d, status: 'pending' }));
      expect(deriveRequirements(input, NOW)).toEqual(nothing);
    });

    describe('expiry', () => {
      function withDirectorExpiry(expiresOn: string | Date | null): RequirementsInput {
        const input = complete();
        input.documents = input.documents.map((d) => (d.personId === DIRECTOR_ID ? { ...d, expiresOn } : d));
        return input;
      }
      const name = `person.${DIRECTOR_ID}.identity_document`;

      it('treats an expired document as missing, with an error', () => {
        const r = deriveRequirements(withDirectorExpiry(dayOffset(-1)), NOW);
        expect(r.currentlyDue).toEqual([name]);
        expect(r.eventuallyDue).toEqual([]);
        expect(r.errors).toEqual([
          { requirement: name, message: `The identity document expired on ${dayOffset(-1)}; upload a current one` },
        ]);
      });

      it('counts a document as valid through its expiry day', () => {
        expect(deriveRequirements(withDirectorExpiry(dayOffset(0)), NOW)).toEqual({
          ...nothing,
          eventuallyDue: [name],
        });
      });

      it('puts a document expiring in exactly 90 days in eventuallyDue, and one in 91 days nowhere', () => {
        expect(deriveRequirements(withDirectorExpiry(dayOffset(90)), NOW)).toEqual({
          ...nothing,
          eventuallyDue: [name],
        });
        expect(deriveRequirements(withDirectorExpiry(dayOffset(91)), NOW)).toEqual(nothing);
      });

      it('uses the UTC calendar date, whatever the time of day', () => {
        const input = withDirectorExpiry('2026-06-08'); // NOW + 90 days
        expect(deriveRequirements(input, new Date('2026-03-10T00:00:00.000Z')).eventuallyDue).toEqual([name]);
        expect(deriveRequirements(input, new Date('2026-03-10T23:59:59.999Z')).eventuallyDue).toEqual([name]);
        expect(deriveRequirements(input, new Date('2026-03-09T23:59:59.999Z')).eventuallyDue).toEqual([]);
        expect(
          deriveRequirements(withDirectorExpiry('2026-03-09'), new Date('2026-03-10T00:00:00.000Z')).currentlyDue,
        ).toEqual([name]);
      });

      it('accepts expiry as a Date', () => {
        expect(
          deriveRequirements(withDirectorExpiry(new Date(`${dayOffset(30)}T00:00:00Z`)), NOW).eventuallyDue,
        ).toEqual([name]);
        expect(
          deriveRequirements(withDirectorExpiry(new Date(`${dayOffset(-3)}T23:00:00Z`)), NOW).currentlyDue,
        ).toEqual([name]);
      });

      it('treats a document without an expiry date as not expiring', () => {
        expect(deriveRequirements(withDirectorExpiry(null), NOW)).toEqual(nothing);
      });

      it('is satisfied by the longest-valid document when a person has several', () => {
        const input = withDirectorExpiry(dayOffset(-10));
        input.documents = [
          ...input.documents,
          doc({ type: 'national_id', personId: DIRECTOR_ID, expiresOn: dayOffset(400) }),
        ];
        expect(deriveRequirements(input, NOW)).toEqual(nothing);
        input.documents = [
          ...input.documents.slice(0, -1),
          doc({ type: 'national_id', personId: DIRECTOR_ID, expiresOn: dayOffset(20) }),
        ];
        expect(deriveRequirements(input, NOW)).toEqual({ ...nothing, eventuallyDue: [name] });
      });

      it('refuses an unreadable expiry date', () => {
        const r = deriveRequirements(withDirectorExpiry('not a date'), NOW);
        expect(r.currentlyDue).toEqual([name]);
        expect(r.errors).toEqual([{ requirement: name, message: expect.stringContaining('cannot be read') }]);
      });
    });
  });

  it('requires a certificate of incorporation', () => {
    const input = complete();
    input.documents = input.documents.filter((d) => d.type !== 'certificate_of_incorporation');
    expect(deriveRequirements(input, NOW)).toEqual({
      ...nothing,
      currentlyDue: ['organisation.certificate_of_incorporation'],
    });
  });

  describe('re-verification', () => {
    const approvedAt = new Date('2025-04-09T12:00:00.000Z'); // due 2026-04-09T12:00Z, 30 days after NOW
    const at = (iso: string) => deriveRequirements({ ...complete(), approvedAt }, new Date(iso));

    it('is nowhere more than 30 days before the anniversary', () => {
      expect(at('2026-03-10T11:59:59.999Z')).toEqual(nothing);
    });

    it('is eventually due from exactly 30 days before', () => {
      expect(at('2026-03-10T12:00:00.000Z')).toEqual({ ...nothing, eventuallyDue: ['organisation.reverification'] });
      expect(at('2026-04-09T11:59:59.999Z')).toEqual({ ...nothing, eventuallyDue: ['organisation.reverification'] });
    });

    it('is currently due from 12 months after approval', () => {
      expect(at('2026-04-09T12:00:00.000Z')).toEqual({ ...nothing, currentlyDue: ['organisation.reverification'] });
      expect(at('2027-01-01T00:00:00.000Z')).toEqual({ ...nothing, currentlyDue: ['organisation.reverification'] });
    });

    it('does not apply before approval', () => {
      expect(deriveRequirements({ ...complete(), approvedAt: null }, new Date('2029-01-01'))).toEqual(nothing);
    });

    it('counts calendar months, clamped to the month end', () => {
      expect(reverificationDueAt(new Date('2024-02-29T08:00:00Z')).toISOString()).toBe('2025-02-28T08:00:00.000Z');
      expect(addMonthsUtc(new Date('2025-01-31T00:00:00Z'), 1).toISOString()).toBe('2025-02-28T00:00:00.000Z');
      expect(addMonthsUtc(new Date('2025-12-15T00:00:00Z'), 12).toISOString()).toBe('2026-12-15T00:00:00.000Z');
    });
  });

  describe('requested items (request_info)', () => {
    const deadline = new Date('2026-03-24T12:00:00.000Z');
    const item = {
      requirement: 'organisation.proof_of_address',
      message: 'Upload a utility bill dated within 3 months',
      deadline,
    };

    it('is currently due with the reviewer’s message before its deadline', () => {
      const r = deriveRequirements({ ...complete(), requestedItems: [item] }, NOW);
      expect(r).toEqual({
        ...nothing,
        currentlyDue: [item.requirement],
        errors: [{ requirement: item.requirement, message: item.message }],
      });
    });

    it('is not past due at its deadline, and is from just after', () => {
      const input = { ...complete(), requestedItems: [item] };
      expect(deriveRequirements(input, deadline).pastDue).toEqual([]);
      const r = deriveRequirements(input, new Date(deadline.getTime() + 1));
      expect(r.pastDue).toEqual([item.requirement]);
      expect(r.currentlyDue).toEqual([item.requirement]);
      expect(r.errors).toEqual([{ requirement: item.requirement, message: item.message }]);
    });

    it('disappears once resolved', () => {
      const r = deriveRequirements(
        { ...complete(), requestedItems: [{ ...item, resolvedAt: NOW }] },
        new Date('2027-01-01'),
      );
      expect(r).toEqual(nothing);
    });

    it('merges with a derived requirement of the same name, keeping both messages', () => {
      const input = complete();
      const name = `person.${DIRECTOR_ID}.identity_document`;
      input.documents = [
        ...input.documents.filter((d) => d.personId !== DIRECTOR_ID),
        doc({ type: 'passport', personId: DIRECTOR_ID, expiresOn: dayOffset(-1) }),
      ];
      input.requestedItems = [{ requirement: name, message: 'The photo is unreadable', deadline }];
      const r = deriveRequirements(input, NOW);
      expect(r.currentlyDue).toEqual([name]);
      expect(r.errors.map((e) => e.message)).toEqual([
        `The identity document expired on ${dayOffset(-1)}; upload a current one`,
        'The photo is unreadable',
      ]);
    });

    it('keeps an item requested twice with the same message once', () => {
      const r = deriveRequirements({ ...complete(), requestedItems: [item, { ...item }] }, NOW);
      expect(r.errors).toHaveLength(1);
    });
  });

  it('orders every list deterministically, whatever the input order', () => {
    const base: RequirementsInput = {
      organisation: { regulatoryStatus: { type: 'fca_registered' } },
      people: [
        person({ id: 'b-person', roles: ['ubo'], ownershipPercent: 10 }),
        person({ id: 'a-person', roles: ['ubo'] }),
        person({ id: 'C-person', roles: ['director'] }),
      ],
      documents: [doc({ type: 'passport', personId: 'C-person', expiresOn: dayOffset(5) })],
      requestedItems: [
        { requirement: 'z.item', message: 'second', deadline: new Date('2026-01-01') },
        { requirement: 'z.item', message: 'first', deadline: new Date('2026-01-01') },
        { requirement: 'm.item', message: 'x', deadline: new Date('2027-01-01') },
        { requirement: 'a.item', message: 'y', deadline: new Date('2026-02-01') },
      ],
      approvedAt: new Date('2025-03-20T00:00:00Z'),
    };
    const r = deriveRequirements(base, NOW);
    expect(r.currentlyDue).toEqual([
      'a.item',
      'm.item',
      'organisation.certificate_of_incorporation',
      'organisation.country',
      'organisation.firm_reference_number',
      'organisation.legal_name',
      'organisation.registered_address',
      'organisation.registration_number',
      'person.a-person.identity_document',
      'person.a-person.ownership_percent',
      'person.b-person.identity_document',
      'person.b-person.ownership_percent',
      'z.item',
    ]);
    expect(r.eventuallyDue).toEqual(['organisation.reverification', 'person.C-person.identity_document']);
    expect(r.pastDue).toEqual(['a.item', 'z.item']);
    expect(r.errors.map((e) => `${e.requirement}:${e.message.slice(0, 6)}`)).toEqual([
      'a.item:y',
      'm.item:x',
      'person.a-person.ownership_percent:A bene',
      'person.b-person.ownership_percent:A bene',
      'z.item:first',
      'z.item:second',
    ]);

    const reversed: RequirementsInput = {
      ...base,
      people: [...base.people].reverse(),
      documents: [...base.documents].reverse(),
      requestedItems: [...(base.requestedItems ?? [])].reverse(),
    };
    expect(deriveRequirements(reversed, NOW)).toEqual(r);
  });

  it('does not modify its input', () => {
    const input = complete();
    input.requestedItems = [{ requirement: 'x', message: 'y', deadline: new Date('2026-01-01') }];
    const snapshot = JSON.stringify(input);
    deriveRequirements(input, NOW);
    expect(JSON.stringify(input)).toBe(snapshot);
  });
});
