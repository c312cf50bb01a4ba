import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { toProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { useSession } from '../../session/session';
import { RISK_COLOUR, TASK_TYPE, when } from './format';
import { StaffFrame } from './StaffFrame';
import { usePoll } from './usePoll';

type Task = components['schemas']['ReviewTaskView'];

/** The review queue: claim the next task, see what waits and what you hold. Polls while open. */
export function Queue() {
  return (
    <StaffFrame>
      <QueuePage />
    </StaffFrame>
  );
}

function QueuePage() {
  const { me } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [waiting, setWaiting] = useState<Task[]>();
  const [mine, setMine] = useState<Task[]>([]);
  const [empty, setEmpty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const state = location.state as {
    enrolled?: boolean;
    notAllowed?: boolean;
  } | null;

  const load = useCallback(async () => {
    try {
      const [pending, claimed] = await Promise.all([
        unwrap(
          api.GET('/v1/review/tasks', {
            params: { query: { status: 'pending', limit: 50 } },
          }),
        ),
        unwrap(
          api.GET('/v1/review/tasks', {
            params: { query: { status: 'claimed', limit: 200 } },
          }),
        ),
      ]);
      setWaiting(pending.data);
      setMine(claimed.data.filter((t) => t.claimedBy === me?.id));
    } catch (err) {
      setError(err);
    }
  }, [me?.id]);

  useEffect(() => {
    void load();
  }, [load]);
  // Waiting for work is normal here: keep the list current every 3 s while the page is visible.
  usePoll(load, 3000, true);

  useEffect(() => {
    if (empty && waiting && waiting.length > 0) setEmpty(false);
  }, [empty, waiting]);

  async function claimNext() {
    setBusy(true);
    setError(undefined);
    try {
      const { data, error: problem, response } = await api.POST('/v1/review/tasks/claim');
      if (!response.ok) throw toProblem(response.status, problem);
      if (response.status === 204 || !data) {
        setEmpty(true);
        await load();
      } else navigate(`/review/tasks/${data.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page
      title="Review queue"
      lead="Claim the next case: second approvals come first, then the riskiest, then the soonest due. A claim is yours for 30 minutes."
      size="lg"
    >
      {state?.enrolled && (
        <Alert color="green" title="Two-factor authentication is on">
          From now on, sign in with your password and the code your authenticator app shows.
        </Alert>
      )}
      {state?.notAllowed && (
        <Alert color="yellow" title="That page is not for your role">
          Ask an admin if you need it.
        </Alert>
      )}
      <ProblemAlert error={error} />
      <Paper withBorder p="lg" radius="md">
        <Group justify="space-between" align="center">
          <div aria-live="polite">
            <Text fw={600}>
              {waiting === undefined
                ? 'Looking at the queue…'
                : waiting.length === 0
                  ? 'No case is waiting.'
                  : `${waiting.length}${waiting.length === 50 ? '+' : ''} ${waiting.length === 1 ? 'case is' : 'cases are'} waiting.`}
            </Text>
            {empty && (
              <Text size="sm" c="dimmed">
                Nothing to claim right now. This page checks every few seconds; claim again when a case appears.
              </Text>
            )}
          </div>
          <Button size="md" onClick={() => void claimNext()} loading={busy}>
            Claim next task
          </Button>
        </Group>
      </Paper>

      {mine.length > 0 && (
        <section aria-labelledby="mine">
          <Title order={2} size="h3" id="mine" mb="xs">
            Cases you hold
          </Title>
          <TaskTable tasks={mine} linkText="Open" />
        </section>
      )}

      <section aria-labelledby="waiting">
        <Title order={2} size="h3" id="waiting" mb="xs">
          Waiting
        </Title>
        {waiting && waiting.length === 0 ? (
          <Text c="dimmed">
            When a developer submits an organisation or asks for production access, the case appears here and reviewers
            get an email digest.
          </Text>
        ) : (
          <TaskTable tasks={waiting ?? []} />
        )}
      </section>
    </Page>
  );
}

function TaskTable({ tasks, linkText }: { tasks: Task[]; linkText?: string }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Case</Table.Th>
            <Table.Th scope="col">Stage</Table.Th>
            <Table.Th scope="col">Risk</Table.Th>
            <Table.Th scope="col">Due</Table.Th>
            {linkText && <Table.Th scope="col">Lease ends</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tasks.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                {linkText ? (
                  <Anchor component={Link} to={`/review/tasks/${t.id}`}>
                    {TASK_TYPE[t.type] ?? t.type}
                  </Anchor>
                ) : (
                  (TASK_TYPE[t.type] ?? t.type)
                )}
              </Table.Td>
              <Table.Td>{t.stage === 'second' ? 'Second approval (senior)' : 'First review'}</Table.Td>
              <Table.Td>
                <Badge color={RISK_COLOUR[t.riskLevel] ?? 'gray'} variant="light">
                  {t.riskLevel}
                </Badge>
              </Table.Td>
              <Table.Td>{when(t.dueAt)}</Table.Td>
              {linkText && <Table.Td>{when(t.leaseExpiresAt)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
