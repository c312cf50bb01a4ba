import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { assertPasswordAcceptable } from '../accounts/accounts.service';
import { mailboxKey } from '../accounts/mailbox';
import { hashPassword } from '../accounts/passwords';
import { STAFF_ROLES, StaffRole } from '../auth/roles';
import { AuditChain } from '../audit/audit-chain';
import { ConfigError, loadConfig } from '../config/config';
import { withCliDataSource } from './cli-database';

function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    // Keep the typed password off the screen.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

/** `npm run staff:create -- --email E --name N --role R`; the password comes from STAFF_PASSWORD or a prompt. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  });
  const problems: string[] = [];
  if (!values.email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email))
    problems.push('--email must be an email address');
  if (!values.name?.trim()) problems.push('--name is required');
  if (!STAFF_ROLES.includes(values.role as StaffRole)) problems.push(`--role must be one of ${STAFF_ROLES.join(', ')}`);
  if (problems.length) throw new Error(problems.join('\n'));
  const password = process.env.STAFF_PASSWORD ?? (await prompt('Password (15+ characters): '));
  assertPasswordAcceptable(password);

  const config = loadConfig();
  const passwordHash = await hashPassword(password);
  const id = await withCliDataSource(config, 'gatehouse-staff-create', (dataSource) =>
    dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `INSERT INTO users (kind, email, email_key, name, password_hash, staff_role, email_verified_at)
         VALUES ('staff', $1, $2, $3, $4, $5, now())
         ON CONFLICT (email_key) DO NOTHING RETURNING id`,
        [values.email, mailboxKey(values.email!), values.name!.trim(), passwordHash, values.role],
      )) as { id: string }[];
      if (!rows[0]) throw new Error(`an account with the email ${values.email} already exists`);
      await new AuditChain(dataSource).append(m, {
        actor: { type: 'system', id: 'cli' },
        action: 'staff.created',
        subject: { type: 'user', id: rows[0].id },
        after: { email: values.email, name: values.name, role: values.role },
      });
      return rows[0].id;
    }),
  );
  process.stdout.write(`created ${values.role} ${values.email} (${id}); they enrol TOTP at first sign-in\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
