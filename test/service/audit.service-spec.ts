import { EntityManager } from 'typeorm';
import { AuditService } from '../../src/audit/audit.service';
import { OutboxService } from '../../src/notifications/outbox.service';
import { spawnAuditVerify } from '../harness/processes';
import { TestApp, startTestApp } from '../harness/test-app';

describe('audit log', () => {
  let t: TestApp;
  let audit: AuditService;
  beforeAll(async () => {
    t = await startTestApp({ http: false });
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  const appendOne = (i: number) =>
    t.dataSource.transaction((m) =>
      audit.append(m, {
        actor: { type: 'staff', id: `reviewer-${i % 7}` },
        action: 'organisation.updated',
        subject: { type: 'organisation', id: `org-${i}` },
        before: { legalName: `Old ${i}` },
        after: { legalName: `New ${i}`, password: 'must not be stored' },
        requestId: `req-${i}`,
      }),
    );

  it('writes neither audit entry nor email for a change that rolls back', async () => {
    const outbox = t.app.get(OutboxService);
    await expect(
      t.dataSource.transaction(async (m) => {
        await audit.append(m, {
          actor: { type: 'system' },
          action: 'test.rolled_back',
          subject: { type: 'test', id: 'x' },
        });
        await outbox.enqueue(m, 'rolled-back@example.com', 'verify-email', { name: 'R', token: 't' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [{ count }] = await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_entries WHERE action = 'test.rolled_back'`,
    );
    expect(count).toBe(0);
    const [{ emails }] = await t.dataSource.query(
      `SELECT count(*)::int AS emails FROM outbox_messages WHERE recipient = 'rolled-back@example.com'`,
    );
    expect(emails).toBe(0);
  });

  it('keeps a linear chain under 100 concurrent changes, and verifies it', async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => appendOne(i)));
    const [{ appended }] = await t.dataSource.query(
      `SELECT count(DISTINCT subject_id)::int AS appended FROM audit_entries WHERE action = 'organisation.updated'`,
    );
    expect(appended).toBe(100);
    const rows = (await t.dataSource.query(`SELECT id, prev_hash, hash FROM audit_entries ORDER BY id`)) as {
      id: string;
      prev_hash: string;
      hash: string;
    }[];
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(await audit.verify()).toEqual({ ok: true, checked: rows.length, firstBrokenId: null });
    const [stored] = await t.dataSource.query(`SELECT after FROM audit_entries WHERE subject_id = 'org-3'`);
    expect(stored.after).toEqual({ legalName: 'New 3', password: '[redacted]' });
  });

  it('links entries as their transaction commits, so an append never deadlocks with a row lock taken in the other order', async () => {
    const [{ id }] = await t.dataSource.query(
      `INSERT INTO users (kind, email, email_key, name, password_hash)
       VALUES ('developer', 'lock-order@example.com', 'lock-order@example.com', 'Lock Order', 'not-a-hash') RETURNING id`,
    );
    // Each transaction holds its first lock before either asks for its second.
    let bothHold!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHold = resolve));
    let holding = 0;
    const hold = () => {
      if (++holding === 2) bothHold();
      return barrier;
    };
    const entry = (n: string) => ({
      actor: { type: 'system' as const },
      action: 'test.lock_order',
      subject: { type: 'test', id: n },
    });
    const lockRow = (m: EntityManager) => m.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [id]);
    await Promise.all([
      t.dataSource.transaction(async (m) => {
        await audit.append(m, entry('append-then-row'));
        await hold();
        await lockRow(m);
      }),
      t.dataSource.transaction(async (m) => {
        await lockRow(m);
        await hold();
        await audit.append(m, entry('row-then-append'));
      }),
    ]);
    const [{ linked }] = await t.dataSource.query(
      `SELECT count(*)::int AS linked FROM audit_entries WHERE action = 'test.lock_order'`,
    );
    expect(linked).toBe(2);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('reports an entry edited in SQL, and the CLI exits non-zero', async () => {
    const [original] = await t.dataSource.query(`SELECT after FROM audit_entries WHERE id = 50`);
    await t.dataSource.query(`UPDATE audit_entries SET after = '{"legalName":"Forged"}' WHERE id = 50`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenId: '50', checked: 49 });

    const cli = spawnAuditVerify({ DATABASE_URL: t.db.url, VAR_DIR: t.config.varDir });
    const code = await cli.exited;
    expect(code).toBe(1);
    expect(JSON.parse(cli.output().trim().split('\n').pop()!)).toMatchObject({ ok: false, firstBrokenId: '50' });

    await t.dataSource.query(`UPDATE audit_entries SET after = $1 WHERE id = 50`, [JSON.stringify(original.after)]);
    expect((await audit.verify()).ok).toBe(true);
    const ok = spawnAuditVerify({ DATABASE_URL: t.db.url, VAR_DIR: t.config.varDir });
    expect(await ok.exited).toBe(0);
  });

  it('reports an entry deleted from the middle or the end', async () => {
    const [row70] = await t.dataSource.query(`SELECT * FROM audit_entries WHERE id = 70`);
    await t.dataSource.query(`DELETE FROM audit_entries WHERE id = 70`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenId: '70' });
    await reinsert(row70);
    expect((await audit.verify()).ok).toBe(true);

    const [last] = await t.dataSource.query(`SELECT * FROM audit_entries ORDER BY id DESC LIMIT 1`);
    await t.dataSource.query(`DELETE FROM audit_entries WHERE id = $1`, [last.id]);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenId: String(last.id) });
    await reinsert(last);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('signs checkpoints that catch a rewritten head and a deleted tail', async () => {
    const checkpoint = await audit.writeCheckpoint();
    expect(checkpoint.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const [last] = await t.dataSource.query(`SELECT * FROM audit_entries ORDER BY id DESC LIMIT 1`);
    expect(checkpoint.lastId).toBe(String(last.id));

    // Delete the last entry and rewind the head so the chain itself looks whole.
    await t.dataSource.query(`DELETE FROM audit_entries WHERE id = $1`, [last.id]);
    await t.dataSource.query(
      `UPDATE audit_head SET last_id = last_id - 1, last_hash = $1, entry_count = entry_count - 1`,
      [last.prev_hash],
    );
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenId: String(last.id) });
  });

  async function reinsert(r: Record<string, unknown>): Promise<void> {
    await t.dataSource.query(
      `INSERT INTO audit_entries (id, actor_type, actor_id, action, subject_type, subject_id, before, after, request_id, created_at, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
      [
        r.id,
        r.actor_type,
        r.actor_id,
        r.action,
        r.subject_type,
        r.subject_id,
        JSON.stringify(r.before),
        JSON.stringify(r.after),
        r.request_id,
        r.created_at,
        r.prev_hash,
        r.hash,
      ],
    );
  }
});
