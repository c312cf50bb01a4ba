import fc from 'fast-check';
import { isTransactionDate, parseDecisionRequest } from './decision-request';

const fields = (body: unknown) => {
  const parsed = parseDecisionRequest(body);
  return Array.isArray(parsed) ? parsed.map((e) => e.field) : 'ok';
};

describe('parseDecisionRequest', () => {
  it('takes a client and customer pair with a scope and a resource', () => {
    expect(
      parseDecisionRequest({
        clientId: 'sbx_1',
        customerId: 'sub-1',
        scope: 'transactions:read',
        resource: { accountId: 'A1', transactionDate: '2026-03-05', merchant: 'Acme', category: 'car_finance' },
      }),
    ).toEqual({
      subject: { clientId: 'sbx_1', customerId: 'sub-1' },
      scope: 'transactions:read',
      resource: { accountId: 'A1', transactionDate: '2026-03-05', merchant: 'Acme', category: 'car_finance' },
    });
  });

  it('takes an access token, and no resource', () => {
    expect(parseDecisionRequest({ accessToken: 'tok', scope: 'accounts:read' })).toEqual({
      subject: { accessToken: 'tok' },
      scope: 'accounts:read',
      resource: undefined,
    });
  });

  it.each([
    ['not an object', [], ['body']],
    ['null', null, ['body']],
    ['neither form', { scope: 'accounts:read' }, ['clientId']],
    ['both forms', { accessToken: 't', clientId: 'c', customerId: 's', scope: 'accounts:read' }, ['accessToken']],
    ['a client without customer', { clientId: 'c', scope: 'accounts:read' }, ['customerId']],
    ['an empty token', { accessToken: '', scope: 'accounts:read' }, ['accessToken']],
    ['an unknown scope', { clientId: 'c', customerId: 's', scope: 'payments:everything' }, ['scope']],
    ['no scope', { clientId: 'c', customerId: 's' }, ['scope']],
    ['an unknown field', { clientId: 'c', customerId: 's', scope: 'accounts:read', extra: 1 }, ['extra']],
    [
      'a resource that is not an object',
      { clientId: 'c', customerId: 's', scope: 'accounts:read', resource: 'A1' },
      ['resource'],
    ],
    [
      'bad resource fields',
      {
        clientId: 'c',
        customerId: 's',
        scope: 'accounts:read',
        resource: { accountId: 7, transactionDate: '2026-02-30', category: 'yachts', colour: 'red' },
      },
      ['resource.colour', 'resource.accountId', 'resource.transactionDate', 'resource.category'],
    ],
  ])('refuses %s, naming the fields', (_what, body, expected) => {
    expect(fields(body)).toEqual(expected);
  });
});

describe('isTransactionDate', () => {
  it.each(['2026-03-05', '2024-02-29', '2026-03-05T10:00:00Z', '2026-03-05T23:59:59.123+01:00'])('takes %s', (d) =>
    expect(isTransactionDate(d)).toBe(true),
  );
  it.each(['2026-02-29', '2026-13-01', '05/03/2026', '2026-03-05T10:00:00', '2026-03-05T25:00:00Z', ''])(
    'refuses %s',
    (d) => expect(isTransactionDate(d)).toBe(false),
  );

  it('takes every real day and its midnight timestamp', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), (d) => {
        const day = d.toISOString().slice(0, 10);
        expect(isTransactionDate(day)).toBe(true);
        expect(isTransactionDate(`${day}T00:00:00Z`)).toBe(true);
      }),
    );
  });
});
