import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { mailJobId } from '../src/notifications/outbox.relay';
import { QueueName } from '../src/queue/queue.registry';
import { OutboxMessage } from '../src/notifications/outbox-message.entity';
import { OutboxService } from '../src/notifications/outbox.service';
import { spawnGatehouse } from './harness/processes';
import { TestApp, startTestApp } from './harness/test-app';
import { eventually } from './harness/wait';

const statusOf = async (ds: DataSource, id: string) =>
  (await ds.getRepository(OutboxMessage).findOneByOrFail({ id })).status;

async function enqueue(t: TestApp, to: string, name = 'Ada'): Promise<string> {
  const outbox = t.app.get(OutboxService);
  return t.dataSource.transaction((m) => outbox.enqueue(m, to, 'verify-email', { name, token: 'tok-' + to }));
}

describe('outbox and mail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://developer.bank.example' } });
  });
  afterAll(() => t.close());

  it('sends a committed email with text and HTML parts, escaped values and a stable Message-ID', async () => {
    const id = await enqueue(t, 'ada@example.com', '<b>Ada</b> & co');
    const mail = await t.smtp.waitFor((m) => m.to.includes('ada@example.com'));
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.messageId).toBe(`<${id}@gatehouse.local>`);
    expect(mail.text).toContain('Hello <b>Ada</b> & co,');
    expect(mail.text).toContain('https://developer.bank.example/verify-email?token=tok-ada%40example.com');
    expect(mail.html).toContain('Hello &lt;b&gt;Ada&lt;/b&gt; &amp; co,');
    expect(mail.html).not.toContain('<b>Ada</b>');
    const row = await eventually(async () => {
      const r = await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
      return r.status === 'sent' ? r : undefined;
    });
    expect(row.attempts).toBe(1);
    // The token was needed only to write the email.
    expect(row.data).toEqual({ name: '<b>Ada</b> & co' });
  });

  it('sends nothing for a change that rolled back', async () => {
    const outbox = t.app.get(OutboxService);
    await expect(
      t.dataSource.transaction(async (m) => {
        await outbox.enqueue(m, 'ghost@example.com', 'verify-email', { name: 'Ghost', token: 't' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await enqueue(t, 'after-ghost@example.com');
    await t.smtp.waitFor((m) => m.to.includes('after-ghost@example.com'));
    expect(t.smtp.to('ghost@example.com')).toHaveLength(0);
    expect(await t.dataSource.getRepository(OutboxMessage).countBy({ recipient: 'ghost@example.com' })).toBe(0);
  });

  it('keeps emails while SMTP is down and delivers them when it is back', async () => {
    const port = t.smtp.port;
    await t.smtp.stop();
    const id = await enqueue(t, 'outage@example.com');
    const failed = await eventually(
      async () => {
        const r = await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
        return r.attempts >= 1 ? r : undefined;
      },
      10_000,
      'a failed attempt',
    );
    expect(failed.status).toBe('queued');
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    await t.smtp.start(port);
    // Retries back off exponentially (4 s, 8 s, 16 s …), so delivery follows within a minute.
    await t.smtp.waitFor((m) => m.to.includes('outage@example.com'), 60_000);
    await eventually(async () => (await statusOf(t.dataSource, id)) === 'sent');
    expect(t.smtp.to('outage@example.com')).toHaveLength(1);
  }, 90_000);

  it('sends an email once when recording it as sent fails after the SMTP server accepted it', async () => {
    // The database refuses to record this row as sent, as if it had gone away right after the send.
    await t.dataSource.query(`
      CREATE FUNCTION test_refuse_sent() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'sent' AND NEW.recipient = 'accepted-once@example.com' THEN
          RAISE EXCEPTION 'the database went away (test)';
        END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(
      `CREATE TRIGGER test_refuse_sent BEFORE UPDATE ON outbox_messages FOR EACH ROW EXECUTE FUNCTION test_refuse_sent()`,
    );
    try {
      const id = await enqueue(t, 'accepted-once@example.com');
      await t.smtp.waitFor((m) => m.to.includes('accepted-once@example.com'));
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Mail));
      await eventually(
        async () => ((await queue.getJob(mailJobId(id, 0)))?.attemptsMade ?? 0) >= 1,
        10_000,
        'the failed attempt',
      );
      expect(await statusOf(t.dataSource, id)).toBe('queued');
      await t.dataSource.query(`DROP TRIGGER test_refuse_sent ON outbox_messages`);
      // The retry (4 s later) records the acceptance instead of sending again.
      await eventually(async () => (await statusOf(t.dataSource, id)) === 'sent', 30_000, 'sent');
      expect(t.smtp.to('accepted-once@example.com')).toHaveLength(1);
    } finally {
      await t.dataSource.query(`DROP TRIGGER IF EXISTS test_refuse_sent ON outbox_messages`);
      await t.dataSource.query(`DROP FUNCTION IF EXISTS test_refuse_sent()`);
    }
  }, 60_000);

  it('marks a permanently refused email dead after one attempt, and an admin retry re-sends it', async () => {
    t.smtp.rejectRecipients = /^bounce@/;
    const id = await enqueue(t, 'bounce@example.com');
    const dead = await eventually(
      async () => {
        const r = await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
        return r.status === 'dead' ? r : undefined;
      },
      10_000,
      'dead row',
    );
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toMatch(/550|Mailbox unavailable/);

    const outbox = t.app.get(OutboxService);
    const listed = await outbox.list('dead', 50);
    expect(listed.data.map((m) => m.id)).toContain(id);
    expect(JSON.stringify(listed)).not.toContain('tok-');

    t.smtp.rejectRecipients = undefined;
    await outbox.retry(id);
    await t.smtp.waitFor((m) => m.to.includes('bounce@example.com'));
    await eventually(async () => (await statusOf(t.dataSource, id)) === 'sent');
    await expect(outbox.retry(id)).rejects.toThrow(/Only dead emails/);
  });

  it('marks an email whose template cannot render dead without retrying', async () => {
    const id = await t.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `INSERT INTO outbox_messages (recipient, template, data) VALUES ('x@example.com', 'no-such-template', '{}') RETURNING id`,
      )) as { id: string }[];
      return rows[0]!.id;
    });
    const dead = await eventually(
      async () => {
        const r = await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id });
        return r.status === 'dead' ? r : undefined;
      },
      10_000,
      'dead row',
    );
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toMatch(/unknown template/);
  });
});

describe('outbox and mail: a worker killed mid-batch', () => {
  it('loses nothing and delivers each Message-ID once', async () => {
    // The API alone writes the outbox; separate worker processes send.
    const t = await startTestApp({ env: { GATEHOUSE_ROLE: 'api' } });
    const workerEnv = {
      GATEHOUSE_ROLE: 'worker',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: t.db.url,
      MIGRATE_ON_START: 'false',
      REDIS_PREFIX: t.config.redis.prefix,
      SMTP_URL: t.smtp.url,
      VAR_DIR: t.config.varDir,
    };
    let worker = spawnGatehouse(workerEnv);
    try {
      const outbox = t.app.get(OutboxService);
      const ids = await t.dataSource.transaction(async (m) => {
        const out: string[] = [];
        for (let i = 0; i < 60; i++)
          out.push(
            await outbox.enqueue(m, `batch-${i}@example.com`, 'verify-email', { name: `N${i}`, token: `t${i}` }),
          );
        return out;
      });

      // Let some of the batch be delivered, then hold every further send in flight and kill -9.
      await eventually(() => t.smtp.messages.length >= 15, 30_000, 'first deliveries');
      t.smtp.holdReplies = true;
      await eventually(() => t.smtp.held >= 1, 10_000, 'a send in flight');
      // Every send acknowledged before the hold is recorded as sent before the kill: wait until the
      // rows say so (nothing new is acknowledged while replies are held).
      const deliveredBeforeCrash = t.smtp.messages.length;
      const sent = () => t.dataSource.getRepository(OutboxMessage).countBy({ status: 'sent' });
      await eventually(async () => (await sent()) === deliveredBeforeCrash, 10_000, 'acknowledged sends recorded');
      worker.child.kill('SIGKILL');
      await worker.exited;
      expect(deliveredBeforeCrash).toBeLessThan(60);
      t.smtp.holdReplies = false;

      worker = spawnGatehouse(workerEnv);
      await eventually(
        async () => (await t.dataSource.getRepository(OutboxMessage).countBy({ status: 'sent' })) === 60,
        60_000,
        'every row sent after the restart',
      );
      const messageIds = t.smtp.messages.map((m) => m.messageId);
      expect(messageIds).toHaveLength(60);
      expect(new Set(messageIds)).toEqual(new Set(ids.map((id) => `<${id}@gatehouse.local>`)));
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      await t.close();
    }
  }, 120_000);
});
