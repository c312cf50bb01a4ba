import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { Loading } from '../../components/RequireSession';
import { useSession } from '../../session/session';
import { DocumentPreview } from './DocumentPreview';
import { RESULT_COLOUR, RISK_COLOUR, TASK_TYPE, when, words } from './format';
import { hasRole, StaffFrame } from './StaffFrame';

type CaseView = components['schemas']['CaseView'];
type Check = components['schemas']['CaseCheckView'];
type ReasonCode = components['schemas']['ReasonCodeView'];
type Decision = components['schemas']['DecisionDto']['decision'];

/** A review task's case: what the organisation sent, every check, the history and the decision form. */
export function Case() {
  return (
    <StaffFrame>
      <CasePage />
    </StaffFrame>
  );
}

function CasePage() {
  const { taskId = '' } = useParams();
  const [view, setView] = useState<CaseView>();
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      setView(
        await unwrap(
          api.GET('/v1/review/tasks/{id}', {
            params: { path: { id: taskId } },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    }
  }, [taskId]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!view)
    return error ? (
      <Page title="Case not found">
        <ProblemAlert error={error} title="This case cannot be opened" />
        <Anchor component={Link} to="/review">
          Back to the review queue
        </Anchor>
      </Page>
    ) : (
      <Loading label="Loading the case" />
    );

  const org = view.organisation;
  const people = new Map((view.people ?? []).map((p) => [p.id, `${p.firstName} ${p.lastName}`]));
  return (
    <Page
      title={`${org.legalName}: ${TASK_TYPE[view.task.type] ?? view.task.type}`}
      lead={
        <>
          Status <strong>{words(org.verification.status)}</strong> · risk{' '}
          <Badge color={RISK_COLOUR[view.task.riskLevel] ?? 'gray'} variant="light">
            {view.task.riskLevel}
          </Badge>{' '}
          · due {when(view.task.dueAt)}
          {view.task.stage === 'second' && ' · second approval by a senior reviewer'}
        </>
      }
      size="xl"
    >
      <DecisionPanel view={view} onDecided={load} />

      <section aria-labelledby="org">
        <Title order={2} size="h3" id="org" mb="xs">
          Organisation
        </Title>
        <Paper withBorder p="md" radius="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <Field label="Legal name" value={org.legalName} />
            <Field label="Trading name" value={org.tradingName} />
            <Field label="Registration number" value={`${org.registrationNumber} (${org.country})`} />
            <Field
              label="Registered address"
              value={Object.values(org.registeredAddress ?? {})
                .filter(Boolean)
                .join(', ')}
            />
            <Field label="Website" value={org.website} />
            <Field
              label="Regulatory status"
              value={[words(String(org.regulatoryStatus?.type ?? '')), org.regulatoryStatus?.firmReferenceNumber]
                .filter(Boolean)
                .join(' · firm reference ')}
            />
            <Field label="Submitted" value={when(org.verification.submittedAt)} />
          </SimpleGrid>
        </Paper>
        {org.checks && org.checks.length > 0 && <Checks title="Checks of the organisation" checks={org.checks} />}
      </section>

      {view.people && (
        <section aria-labelledby="people">
          <Title order={2} size="h3" id="people" mb="xs">
            Directors and owners
          </Title>
          {view.people.length === 0 ? (
            <Text c="dimmed">No people were listed.</Text>
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Date of birth</Table.Th>
                  <Table.Th scope="col">Nationality</Table.Th>
                  <Table.Th scope="col">Roles</Table.Th>
                  <Table.Th scope="col">Ownership</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {view.people.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      {p.firstName} {p.lastName}
                    </Table.Td>
                    <Table.Td>{p.dateOfBirth}</Table.Td>
                    <Table.Td>{p.nationality}</Table.Td>
                    <Table.Td>{p.roles.map((r) => (r === 'ubo' ? 'beneficial owner' : r)).join(', ')}</Table.Td>
                    <Table.Td>{p.ownershipPercent === null ? '—' : `${p.ownershipPercent} %`}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </section>
      )}

      {view.documents && (
        <section aria-labelledby="documents">
          <Title order={2} size="h3" id="documents" mb="xs">
            Documents
          </Title>
          {view.documents.length === 0 && <Text c="dimmed">No documents were uploaded.</Text>}
          <Stack>
            {view.documents.map((d) => {
              const label = `${words(d.type)}${d.personId ? ` of ${people.get(d.personId) ?? 'a person'}` : ''}`;
              return (
                <Card key={d.id} withBorder radius="md" padding="md">
                  <Title order={3} size="h4">
                    {label.charAt(0).toUpperCase() + label.slice(1)}
                  </Title>
                  <Text size="sm" c="dimmed" mb="xs">
                    {[
                      d.documentNumber && `number ${d.documentNumber}`,
                      d.issuingCountry && `issued in ${d.issuingCountry}`,
                      d.expiresOn && `expires ${d.expiresOn}`,
                      `${Math.round(d.size / 1024)} KB ${d.mimeType}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Text>
                  <SimpleGrid cols={{ base: 1, md: 2 }}>
                    <DocumentPreview organisationId={org.id} documentId={d.id} mimeType={d.mimeType} label={label} />
                    <Checks title={`Checks of the ${words(d.type)}`} checks={d.checks} level={4} />
                  </SimpleGrid>
                  <Text size="xs" c="dimmed" mt="xs">
                    SHA-256 <Code>{d.sha256}</Code>
                  </Text>
                </Card>
              );
            })}
          </Stack>
        </section>
      )}

      {(view.app || view.request) && <AppRequest view={view} />}

      <SuspensionPanel view={view} onChanged={load} />

      <section aria-labelledby="decisions">
        <Title order={2} size="h3" id="decisions" mb="xs">
          Earlier decisions
        </Title>
        {view.decisions.length === 0 ? (
          <Text c="dimmed">No decision yet.</Text>
        ) : (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">Decision</Table.Th>
                <Table.Th scope="col">Reasons</Table.Th>
                <Table.Th scope="col">Note</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {view.decisions.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{when(d.createdAt)}</Table.Td>
                  <Table.Td>
                    {words(d.decision)}
                    {d.stage === 'second' && ' (second approval)'}
                  </Table.Td>
                  <Table.Td>{d.reasonCodes.map(words).join(', ')}</Table.Td>
                  <Table.Td>{d.note}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>

      <section aria-labelledby="history">
        <Title order={2} size="h3" id="history" mb="xs">
          History
        </Title>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">What</Table.Th>
              <Table.Th scope="col">By</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {view.history.map((h) => (
              <Table.Tr key={h.id}>
                <Table.Td>{when(h.at)}</Table.Td>
                <Table.Td>{words(h.action)}</Table.Td>
                <Table.Td>{h.actorType}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
    </Page>
  );
}

function Field({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <div>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text>{value || '—'}</Text>
    </div>
  );
}

/** Every check with its result, what it found and what it looks at. */
function Checks({ title, checks, level = 3 }: { title: string; checks: Check[]; level?: 3 | 4 }) {
  return (
    <div>
      <Title order={level} size="h5" mt="sm" mb={4}>
        {title}
      </Title>
      {checks.length === 0 ? (
        <Text size="sm" c="dimmed">
          No check has reported yet for this submission.
        </Text>
      ) : (
        <Stack gap="xs">
          {checks.map((c) => (
            <Paper key={`${c.subject}.${c.name}`} withBorder p="xs" radius="sm">
              <Group gap="xs">
                <Badge color={RESULT_COLOUR[c.result] ?? 'gray'} variant="light">
                  {c.result}
                </Badge>
                <Text fw={600}>{c.name}</Text>
              </Group>
              {c.reason && <Text size="sm">{c.reason}</Text>}
              <Text size="sm" c="dimmed">
                {c.explanation}
              </Text>
            </Paper>
          ))}
        </Stack>
      )}
    </div>
  );
}

/** An app case's request, shown as the apps area describes it. */
function AppRequest({ view }: { view: CaseView }) {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  return (
    <section aria-labelledby="request">
      <Title order={2} size="h3" id="request" mb="xs">
        Production-access request
      </Title>
      {[
        ['The app', view.app],
        ['The request', view.request],
        ['What must hold', view.requirements],
      ].map(([title, body]) =>
        body ? (
          <Paper key={String(title)} withBorder p="md" radius="md" mb="sm">
            <Title order={3} size="h5" mb="xs">
              {String(title)}
            </Title>
            <Table>
              <Table.Tbody>
                {Object.entries(body as Record<string, unknown>).map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Th scope="row">{words(k)}</Table.Th>
                    <Table.Td style={{ whiteSpace: 'pre-wrap' }}>{show(v)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        ) : null,
      )}
    </section>
  );
}

const DECISIONS: { value: Decision; label: string; description: string }[] = [
  {
    value: 'approve',
    label: 'Approve',
    description: 'Everything is in order. A high-risk case then goes to a senior reviewer.',
  },
  {
    value: 'request_info',
    label: 'Ask for more information',
    description: 'The developer sees each item you list and can resubmit.',
  },
  {
    value: 'reject',
    label: 'Reject',
    description: 'The case ends; the developer is told it was rejected.',
  },
];

/** The field's message from a validation problem, also for its items (`reasonCodes.0`). */
const fieldError = (error: unknown, field: string): string | undefined =>
  error instanceof ApiProblem
    ? error.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`))
        ?.message
    : undefined;

/** The decision form, for the reviewer holding the task's lease; a status line for everyone else. */
function DecisionPanel({ view, onDecided }: { view: CaseView; onDecided: () => Promise<void> }) {
  const { me } = useSession();
  const [codes, setCodes] = useState<ReasonCode[]>([]);
  const [decision, setDecision] = useState<Decision>('approve');
  const [reasonCodes, setReasonCodes] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [items, setItems] = useState([{ requirement: '', message: '' }]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const task = view.task;
  const holding = task.status === 'claimed' && task.claimedBy === me?.id;

  useEffect(() => {
    if (!holding) return;
    unwrap(api.GET('/v1/review/reason-codes'))
      .then((r) => setCodes(r.data))
      .catch(setError);
  }, [holding]);

  async function decide(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = {
        decision,
        reasonCodes: reasonCodes as components['schemas']['DecisionDto']['reasonCodes'],
        note,
        claimVersion: task.claimVersion,
        ...(decision === 'request_info' ? { requestedItems: items } : {}),
      };
      const result = await unwrap(
        api.POST('/v1/review/tasks/{id}/decision', {
          params: { path: { id: task.id } },
          body,
        }),
      );
      setDone(`Decision recorded. The case is now ${words(result.verificationStatus)}.`);
      await onDecided();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function release() {
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.POST('/v1/review/tasks/{id}/release', {
          params: { path: { id: task.id } },
        }),
      );
      setDone('Released: the case is back in the queue for someone else.');
      await onDecided();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const status = (
    <div role="status" aria-live="polite">
      {done && (
        <Alert color="green" title={done}>
          <Anchor component={Link} to="/review">
            Back to the review queue
          </Anchor>
        </Alert>
      )}
    </div>
  );

  if (!holding)
    return (
      <>
        {status}
        {!done && (
          <Alert color="gray" title={task.status === 'done' ? 'This case is decided' : 'You do not hold this case'}>
            {task.status === 'done'
              ? 'Its decisions and history are below.'
              : task.status === 'claimed'
                ? `Another reviewer holds it until ${when(task.leaseExpiresAt)}.`
                : 'Claim the next task from the queue to decide a case.'}
          </Alert>
        )}
      </>
    );

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="decide">
      <form onSubmit={(e) => void decide(e)} noValidate>
        <Stack>
          <Title order={2} size="h3" id="decide">
            {task.stage === 'second' ? 'Second approval' : 'Your decision'}
          </Title>
          <Text size="sm" c="dimmed">
            {task.stage === 'second'
              ? 'A reviewer approved this high-risk case; as a senior reviewer, confirm or overturn it.'
              : `You hold this case until ${when(task.leaseExpiresAt)}. Read the documents and checks below first.`}
          </Text>
          {status}
          <ProblemAlert error={error} title="The decision was not recorded" />
          <Radio.Group label="Decision" required value={decision} onChange={(v) => setDecision(v as Decision)}>
            <Stack gap="xs" mt="xs">
              {DECISIONS.map((d) => (
                <Radio key={d.value} value={d.value} label={d.label} description={d.description} />
              ))}
            </Stack>
          </Radio.Group>
          <Checkbox.Group
            label="Reasons"
            description="Pick at least one; reports group decisions by them."
            required
            value={reasonCodes}
            onChange={setReasonCodes}
            error={fieldError(error, 'reasonCodes')}
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
              {codes.map((c) => (
                <Checkbox key={c.code} value={c.code} label={c.text} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <Textarea
            label="Note"
            description="What you saw and why you decided so. It is kept in the audit log."
            required
            autosize
            minRows={3}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            error={fieldError(error, 'note')}
          />
          {decision === 'request_info' && (
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <legend>
                <Text fw={500}>What the developer must send</Text>
              </legend>
              <Stack gap="xs">
                {items.map((item, i) => (
                  <Group key={i} grow align="flex-start">
                    <TextInput
                      label={`Requirement ${i + 1}`}
                      description="e.g. organisation.certificate_of_incorporation"
                      value={item.requirement}
                      error={fieldError(error, `requestedItems.${i}.requirement`)}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        setItems((xs) => xs.map((x, j) => (j === i ? { ...x, requirement: v } : x)));
                      }}
                    />
                    <TextInput
                      label={`Message ${i + 1}`}
                      description="In plain words, what is wrong or missing"
                      value={item.message}
                      error={fieldError(error, `requestedItems.${i}.message`)}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        setItems((xs) => xs.map((x, j) => (j === i ? { ...x, message: v } : x)));
                      }}
                    />
                  </Group>
                ))}
                <Group>
                  <Button
                    variant="default"
                    size="xs"
                    onClick={() => setItems((xs) => [...xs, { requirement: '', message: '' }])}
                  >
                    Add another item
                  </Button>
                </Group>
              </Stack>
            </fieldset>
          )}
          <Group>
            <Button type="submit" loading={busy}>
              Record decision
            </Button>
            <Button variant="default" onClick={() => void release()} disabled={busy}>
              Release the case
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** Senior reviewers: suspend an approved organisation (and its apps' production access), or reinstate it. */
function SuspensionPanel({ view, onChanged }: { view: CaseView; onChanged: () => Promise<void> }) {
  const { me } = useSession();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const status = view.organisation.verification.status;
  if (!hasRole(me, ['senior_reviewer']) || view.task.type !== 'kyb') return null;
  if (status !== 'approved' && status !== 'suspended') return null;
  const suspend = status === 'approved';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const params = { path: { orgId: view.organisation.id } };
      const result = await unwrap(
        suspend
          ? api.POST('/v1/review/organisations/{orgId}/suspend', {
              params,
              body: { reason },
            })
          : api.POST('/v1/review/organisations/{orgId}/reinstate', {
              params,
              body: { reason },
            }),
      );
      setDone(`The organisation is now ${words(result.status)}.`);
      setReason('');
      await onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="suspension">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Title order={2} size="h3" id="suspension">
            {suspend ? 'Suspend this organisation' : 'Reinstate this organisation'}
          </Title>
          <Text size="sm" c="dimmed">
            {suspend
              ? 'Suspending stops the production access of all its apps at once and emails its owners.'
              : 'Reinstating gives it back its approval and its apps their production access.'}
          </Text>
          <div role="status" aria-live="polite">
            {done && <Alert color="green" title={done} />}
          </div>
          <ProblemAlert error={error} />
          <Textarea
            label="Reason"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(error, 'reason')}
          />
          <Group>
            <Button type="submit" color={suspend ? 'red.9' : undefined} loading={busy}>
              {suspend ? 'Suspend' : 'Reinstate'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
