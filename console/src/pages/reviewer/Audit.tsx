import { Alert, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { when, words } from './format';
import { StaffFrame } from './StaffFrame';

type Entry = components['schemas']['AuditEntryResponse'];
type Verify = components['schemas']['AuditVerifyView'];

/** Senior reviewers and admins: search the audit log by subject and verify its hash chain. */
export function Audit() {
  return (
    <StaffFrame roles={['senior_reviewer', 'admin']}>
      <AuditPage />
    </StaffFrame>
  );
}

function AuditPage() {
  const [params, setParams] = useSearchParams();
  const [subjectType, setSubjectType] = useState(params.get('subjectType') ?? '');
  const [subjectId, setSubjectId] = useState(params.get('subjectId') ?? '');
  const [entries, setEntries] = useState<Entry[]>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [verify, setVerify] = useState<Verify>();
  const [verifying, setVerifying] = useState(false);

  const search = useCallback(
    async (cursor?: string) => {
      setError(undefined);
      try {
        const query = {
          subjectType: params.get('subjectType') || undefined,
          subjectId: params.get('subjectId') || undefined,
          limit: 50,
          cursor,
        };
        const page = await unwrap(api.GET('/v1/audit', { params: { query } }));
        setEntries((old) => (cursor ? [...(old ?? []), ...page.data] : page.data));
        setNext(page.nextCursor);
      } catch (err) {
        setError(err);
      }
    },
    [params],
  );

  useEffect(() => {
    void search();
  }, [search]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (subjectType.trim()) p.subjectType = subjectType.trim();
    if (subjectId.trim()) p.subjectId = subjectId.trim();
    setParams(p);
  }

  async function runVerify() {
    setVerifying(true);
    setVerify(undefined);
    try {
      setVerify(await unwrap(api.GET('/v1/audit/verify')));
    } catch (err) {
      setError(err);
    } finally {
      setVerifying(false);
    }
  }

  return (
    <Page
      title="Audit log"
      lead="Every state change, decision, staff document view, credential event and consent change, newest first. Each entry carries the hash of the one before, so an edit or a deletion shows."
      size="xl"
    >
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="verify">
        <Stack gap="xs">
          <Title order={2} size="h4" id="verify">
            Verify the chain
          </Title>
          <Text size="sm" c="dimmed">
            Recomputes every entry’s hash from the first one. This reads the whole log and can take a while.
          </Text>
          <Group>
            <Button variant="default" onClick={() => void runVerify()} loading={verifying}>
              Verify the audit chain
            </Button>
          </Group>
          <div role="status" aria-live="polite">
            {verify &&
              (verify.ok ? (
                <Alert color="green" title="The chain holds">
                  {verify.checked} entries checked; none was edited or removed.
                </Alert>
              ) : (
                <Alert color="red" title="The chain is broken">
                  The first entry that does not hold is {verify.firstBrokenId ?? 'unknown'}
                  {verify.reason ? `: ${verify.reason}` : ''}. {verify.checked} entries checked.
                </Alert>
              ))}
          </div>
        </Stack>
      </Paper>

      <form onSubmit={submit} aria-label="Search the audit log">
        <Group align="flex-end">
          <TextInput
            label="Subject type"
            description="e.g. organisation, app, user, consent"
            value={subjectType}
            onChange={(e) => setSubjectType(e.currentTarget.value)}
          />
          <TextInput
            label="Subject id"
            description="The organisation’s, app’s or person’s id"
            value={subjectId}
            onChange={(e) => setSubjectId(e.currentTarget.value)}
            w={340}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      <ProblemAlert error={error} />

      <section aria-labelledby="entries">
        <Title order={2} size="h3" id="entries" mb="xs">
          Entries
        </Title>
        {entries && entries.length === 0 ? (
          <Text c="dimmed">No entry matches. Leave both fields empty to see the latest entries.</Text>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">#</Table.Th>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Action</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">By</Table.Th>
                  <Table.Th scope="col">Change</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(entries ?? []).map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{e.id}</Table.Td>
                    <Table.Td>{when(e.createdAt)}</Table.Td>
                    <Table.Td>{words(e.action)}</Table.Td>
                    <Table.Td>
                      {e.subject.type} <Code>{e.subject.id ?? '—'}</Code>
                    </Table.Td>
                    <Table.Td>
                      {e.actor.type} <Code>{e.actor.id ?? '—'}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text
                        size="xs"
                        ff="monospace"
                        maw={360}
                        style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
                      >
                        {JSON.stringify({ before: e.before, after: e.after })}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {next && (
          <Button variant="default" mt="sm" onClick={() => void search(next)}>
            Show older entries
          </Button>
        )}
      </section>
    </Page>
  );
}
