import { AuditEntryContent, GENESIS_HASH, canonicalJson, chainHash, scrubSnapshot } from './audit-hash';

const entry: AuditEntryContent = {
  id: '1',
  actorType: 'staff',
  actorId: 'a1',
  action: 'organisation.approved',
  subjectType: 'organisation',
  subjectId: 'o1',
  before: { status: 'in_review' },
  after: { status: 'approved' },
  requestId: 'r1',
  createdAt: '2026-11-28T10:00:00.000Z',
};

describe('audit hash chain', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('changes when any field or the previous hash changes', () => {
    const h = chainHash(GENESIS_HASH, entry);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...entry, after: { status: 'rejected' } })).not.toBe(h);
    expect(chainHash(GENESIS_HASH, { ...entry, actorId: 'a2' })).not.toBe(h);
    expect(chainHash('1'.repeat(64), entry)).not.toBe(h);
    expect(chainHash(GENESIS_HASH, { ...entry })).toBe(h);
  });

  it('scrubs secrets and document contents from snapshots', () => {
    const scrubbed = scrubSnapshot({
      email: 'a@b.c',
      passwordHash: 'x',
      nested: { clientSecret: 's', token: 't' },
      mrz: 'P<GBR',
      status: 'ok',
    });
    expect(scrubbed).toEqual({
      email: 'a@b.c',
      passwordHash: '[redacted]',
      nested: { clientSecret: '[redacted]', token: '[redacted]' },
      mrz: '[redacted]',
      status: 'ok',
    });
  });
});
