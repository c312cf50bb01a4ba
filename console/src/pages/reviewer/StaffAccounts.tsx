import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { useSession } from '../../session/session';
import { StaffFrame } from './StaffFrame';

type Member = components['schemas']['StaffMemberView'];
type Role = components['schemas']['CreateStaffDto']['role'];

const ROLES: { value: Role; label: string }[] = [
  { value: 'reviewer', label: 'Reviewer: works the queue and decides cases' },
  {
    value: 'senior_reviewer',
    label: 'Senior reviewer: also second approvals, suspensions, audit',
  },
  { value: 'admin', label: 'Admin: staff accounts, audit, undelivered emails' },
];

/** Admins: staff accounts — list, create (they enrol two-factor at first sign-in), disable. */
export function StaffAccounts() {
  return (
    <StaffFrame roles={['admin']}>
      <StaffPage />
    </StaffFrame>
  );
}

function StaffPage() {
  const { me } = useSession();
  const [members, setMembers] = useState<Member[]>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [form, setForm] = useState({
    email: '',
    name: '',
    role: 'reviewer' as Role,
    password: '',
  });
  const [formError, setFormError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setMembers((await unwrap(api.GET('/v1/admin/staff'))).data);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFormError(undefined);
    try {
      const created = await unwrap(api.POST('/v1/admin/staff', { body: form }));
      setDone(`${created.name} can now sign in and will set up two-factor authentication first.`);
      setForm({ email: '', name: '', role: 'reviewer', password: '' });
      await load();
    } catch (err) {
      setFormError(err);
    } finally {
      setBusy(false);
    }
  }

  async function disable(m: Member) {
    setError(undefined);
    try {
      await unwrap(
        api.POST('/v1/admin/staff/{userId}/disable', {
          params: { path: { userId: m.id } },
        }),
      );
      setDone(`${m.name} is disabled; their sessions have ended.`);
      await load();
    } catch (err) {
      setError(err);
    }
  }

  const fieldMessage = (f: string) => (formError instanceof ApiProblem ? formError.fieldMessage(f) : undefined);

  return (
    <Page title="Staff accounts" lead="Reviewers, senior reviewers and admins of the bank." size="lg">
      <div role="status" aria-live="polite">
        {done && <Alert color="green" title={done} />}
      </div>
      <ProblemAlert error={error} />
      <Table.ScrollContainer minWidth={700}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Email</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
              <Table.Th scope="col">Two-factor</Table.Th>
              <Table.Th scope="col">Account</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(members ?? []).map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.name}</Table.Td>
                <Table.Td>{m.email}</Table.Td>
                <Table.Td>{m.staffRole?.replace('_', ' ')}</Table.Td>
                <Table.Td>{m.mfaEnrolled ? 'on' : 'not set up yet'}</Table.Td>
                <Table.Td>
                  {m.disabled ? (
                    <Badge color="gray" variant="light">
                      disabled
                    </Badge>
                  ) : m.id === me?.id ? (
                    <Text size="sm">you</Text>
                  ) : (
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      onClick={() => void disable(m)}
                      aria-label={`Disable ${m.name}`}
                    >
                      Disable
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="add">
        <form onSubmit={(e) => void create(e)} noValidate>
          <Stack>
            <Title order={2} size="h4" id="add">
              Add a staff member
            </Title>
            <ProblemAlert error={formError} title="The account was not created" />
            <TextInput
              label="Email"
              type="email"
              required
              value={form.email}
              error={fieldMessage('email')}
              onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
            />
            <TextInput
              label="Name"
              required
              value={form.name}
              error={fieldMessage('name')}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
            <Select
              label="Role"
              required
              allowDeselect={false}
              data={ROLES}
              value={form.role}
              onChange={(v) => v && setForm({ ...form, role: v as Role })}
            />
            <PasswordInput
              label="First password"
              description="At least 15 characters; give it to them in person. They set up two-factor authentication at first sign-in."
              required
              autoComplete="new-password"
              value={form.password}
              error={fieldMessage('password')}
              onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
            <Group>
              <Button type="submit" loading={busy}>
                Create account
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Page>
  );
}
