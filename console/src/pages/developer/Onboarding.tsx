import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  List,
  NumberInput,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, problemText, unwrap } from '../../api/problem';
import { Page, ProblemAlert } from '../../components/Page';
import { Loading, RequireAccount } from '../../components/RequireSession';
import { uploadDocument } from './upload';
import { usePolling } from './usePolling';
import {
  CHECK_WORDS,
  DOCUMENT_TYPE_WORDS,
  IDENTITY_TYPES,
  RESULT_WORDS,
  STATUS_WORDS,
  byteSize,
  isEditable,
  isWaiting,
  requirementWords,
  type Check,
  type KybDocument,
  type Organisation,
  type Person,
  type Verification,
} from './words';

interface Case {
  organisation: Organisation;
  verification: Verification;
  people: Person[];
  documents: KybDocument[];
}

async function loadCase(orgId: string): Promise<Case> {
  const path = { params: { path: { orgId } } };
  const [organisation, verification, people, documents] = await Promise.all([
    unwrap(api.GET('/v1/organisations/{orgId}', path)),
    unwrap(api.GET('/v1/organisations/{orgId}/verification', path)),
    unwrap(api.GET('/v1/organisations/{orgId}/people', path)),
    unwrap(api.GET('/v1/organisations/{orgId}/documents', path)),
  ]);
  return {
    organisation,
    verification,
    people: people.data,
    documents: documents.data,
  };
}

/**
 * The onboarding wizard of one organisation (`/organisations/:orgId`, and `…/verification` which
 * the KYB emails link to): what is due, kept current by polling; people; documents with upload
 * progress and check results; submit.
 */
export function Onboarding() {
  return (
    <RequireAccount kind="developer">
      <OnboardingPage />
    </RequireAccount>
  );
}

function OnboardingPage() {
  const { orgId = '' } = useParams();
  const { data, error, reload } = usePolling(() => loadCase(orgId), {
    intervalMs: 2500,
  });

  if (!data) {
    return (
      <Page title="Organisation">
        {error ? <ProblemAlert error={error} title="This organisation could not be opened" /> : <Loading />}
      </Page>
    );
  }
  const { organisation, verification, people, documents } = data;
  const editable = isEditable(verification.status) && organisation.myRole !== 'member';
  return (
    <Page
      title={organisation.legalName}
      lead={`Company number ${organisation.registrationNumber}, ${organisation.registeredAddress.city}`}
      size="lg"
      actions={
        <Group>
          <Button component={Link} to={`/organisations/${orgId}/apps`} variant="light">
            Apps
          </Button>
        </Group>
      }
    >
      <ProblemAlert error={error} title="Could not refresh; showing what we had" />
      <StatusPanel verification={verification} people={people} />
      <PeopleSection orgId={orgId} people={people} editable={editable} onChange={reload} />
      <DocumentsSection
        orgId={orgId}
        people={people}
        documents={documents}
        checks={verification.checks}
        editable={editable}
        checking={isWaiting(verification.status)}
        onChange={reload}
      />
      <OrganisationChecks checks={verification.checks} />
      {editable && <SubmitSection orgId={orgId} verification={verification} people={people} onChange={reload} />}
    </Page>
  );
}

/** Where verification stands and what is due, announced as it changes. */
function StatusPanel({ verification, people }: { verification: Verification; people: Person[] }) {
  const words = STATUS_WORDS[verification.status];
  const { currentlyDue, errors, pastDue, eventuallyDue } = verification.requirements;
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Verification
        </Title>
        <div role="status" aria-live="polite">
          <Group gap="sm">
            <Text>Status:</Text>
            <Badge color={words?.color ?? 'gray'} size="lg" variant="light" data-testid="verification-status">
              {words?.label ?? verification.status}
            </Badge>
          </Group>
          <Text mt="xs">{words?.meaning}</Text>
        </div>
        {verification.reasons.length > 0 && (
          <Alert color="orange" title="The reviewer's reasons">
            <List>
              {verification.reasons.map((r) => (
                <List.Item key={r.code}>{r.text}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        {errors.length > 0 && (
          <Alert color="orange" title="A reviewer asked for more">
            <List>
              {errors.map((e) => (
                <List.Item key={`${e.requirement}:${e.message}`}>
                  <Text fw={500}>{requirementWords(e.requirement, people)}</Text>
                  <Text size="sm">{e.message}</Text>
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {pastDue.length > 0 && (
          <Alert color="red" title="Past its deadline">
            <List>
              {pastDue.map((r) => (
                <List.Item key={r}>{requirementWords(r, people)}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        {isEditable(verification.status) &&
          (currentlyDue.length > 0 ? (
            <div>
              <Title order={3} size="h4">
                Still to do before you can submit
              </Title>
              <List mt="xs" aria-label="Still to do">
                {currentlyDue.map((r) => (
                  <List.Item key={r}>{requirementWords(r, people)}</List.Item>
                ))}
              </List>
            </div>
          ) : (
            <Text fw={500}>Everything needed is here. Submit when you are ready.</Text>
          ))}
        {eventuallyDue.length > 0 && (
          <Text size="sm" c="dimmed">
            Later: {eventuallyDue.map((r) => requirementWords(r, people)).join(' ')}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** Directors and beneficial owners, and the form to add one. */
function PeopleSection({
  orgId,
  people,
  editable,
  onChange,
}: {
  orgId: string;
  people: Person[];
  editable: boolean;
  onChange: () => Promise<void>;
}) {
  const empty = {
    firstName: '',
    lastName: '',
    dateOfBirth: '',
    nationality: '',
    director: true,
    ubo: false,
  };
  const [f, setF] = useState(empty);
  const [ownership, setOwnership] = useState<number | string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [added, setAdded] = useState('');
  const fieldError = (field: string) => (error instanceof ApiProblem ? error.fieldMessage(field) : undefined);
  const set =
    (k: 'firstName' | 'lastName' | 'dateOfBirth' | 'nationality') => (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setF((old) => ({ ...old, [k]: value }));
    };

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAdded('');
    try {
      const roles = [...(f.director ? ['director' as const] : []), ...(f.ubo ? ['ubo' as const] : [])];
      const p = await unwrap(
        api.POST('/v1/organisations/{orgId}/people', {
          params: { path: { orgId } },
          body: {
            firstName: f.firstName,
            lastName: f.lastName,
            dateOfBirth: f.dateOfBirth,
            nationality: f.nationality,
            roles,
            ...(ownership !== '' ? { ownershipPercent: Number(ownership) } : {}),
          },
        }),
      );
      setF(empty);
      setOwnership('');
      setAdded(`${p.firstName} ${p.lastName} was added.`);
      await onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h3">
          People
        </Title>
        <Text size="sm" c="dimmed">
          Every director, and everyone who owns or controls 25% or more of the company (a beneficial owner).
        </Text>
        {people.length === 0 ? (
          <Text>No one yet. Add at least one director below.</Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Date of birth</Table.Th>
                <Table.Th>Nationality</Table.Th>
                <Table.Th>Role</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {people.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    {p.firstName} {p.lastName}
                  </Table.Td>
                  <Table.Td>{p.dateOfBirth}</Table.Td>
                  <Table.Td>{p.nationality}</Table.Td>
                  <Table.Td>
                    {p.roles
                      .map((r) => (r === 'ubo' ? `beneficial owner (${p.ownershipPercent ?? '?'}%)` : 'director'))
                      .join(', ')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <div role="status" aria-live="polite">
          {added && <Text>{added}</Text>}
        </div>
        {editable && (
          <form onSubmit={(e) => void add(e)} noValidate aria-labelledby="add-person">
            <Stack gap="sm">
              <Title order={3} size="h4" id="add-person">
                Add a person
              </Title>
              <ProblemAlert error={error} title="The person was not added" />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput
                  label="First name"
                  required
                  value={f.firstName}
                  error={fieldError('firstName')}
                  onChange={set('firstName')}
                />
                <TextInput
                  label="Last name"
                  required
                  value={f.lastName}
                  error={fieldError('lastName')}
                  onChange={set('lastName')}
                />
                <TextInput
                  label="Date of birth"
                  type="date"
                  required
                  value={f.dateOfBirth}
                  error={fieldError('dateOfBirth')}
                  onChange={set('dateOfBirth')}
                />
                <TextInput
                  label="Nationality"
                  description="Two-letter country code, e.g. GB."
                  required
                  maxLength={2}
                  value={f.nationality}
                  error={fieldError('nationality')}
                  onChange={(e) => {
                    const v = e.currentTarget.value.toUpperCase();
                    setF((old) => ({ ...old, nationality: v }));
                  }}
                />
              </SimpleGrid>
              <Group>
                <Checkbox
                  label="Director"
                  checked={f.director}
                  onChange={(e) => {
                    const v = e.currentTarget.checked;
                    setF((old) => ({ ...old, director: v }));
                  }}
                />
                <Checkbox
                  label="Beneficial owner (25% or more)"
                  checked={f.ubo}
                  onChange={(e) => {
                    const v = e.currentTarget.checked;
                    setF((old) => ({ ...old, ubo: v }));
                  }}
                />
              </Group>
              {f.ubo && (
                <NumberInput
                  label="Ownership (%)"
                  min={0}
                  max={100}
                  required
                  value={ownership}
                  error={fieldError('ownershipPercent')}
                  onChange={setOwnership}
                />
              )}
              {fieldError('roles') && (
                <Text c="red.9" size="sm" role="alert">
                  {fieldError('roles')}
                </Text>
              )}
              <Group>
                <Button type="submit" loading={busy}>
                  Add person
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}

/** One check's result with what the check looks at. */
function CheckLine({ check }: { check: Check }) {
  const words = CHECK_WORDS[check.name];
  const result = RESULT_WORDS[check.result];
  return (
    <List.Item>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Badge color={result?.color ?? 'gray'} variant="light" style={{ flexShrink: 0 }}>
          {result?.label ?? check.result}
        </Badge>
        <div>
          <Text size="sm" fw={500}>
            {words?.title ?? check.name}
            {check.reason ? `: ${check.reason}` : ''}
          </Text>
          {words && (
            <Text size="xs" c="dimmed">
              {words.about}
            </Text>
          )}
        </div>
      </Group>
    </List.Item>
  );
}

/** The organisation's own checks (the company register), once a submission has run them. */
function OrganisationChecks({ checks }: { checks: Check[] }) {
  const own = checks.filter((c) => c.subject.startsWith('organisation.'));
  if (own.length === 0) return null;
  return (
    <Paper withBorder p="lg" radius="md">
      <Title order={2} size="h3">
        Checks on the organisation
      </Title>
      <List listStyleType="none" spacing="xs" mt="sm">
        {own.map((c) => (
          <CheckLine key={`${c.subject}:${c.name}`} check={c} />
        ))}
      </List>
    </Paper>
  );
}

/** Documents: the upload form with a progress bar, then each document and its check results. */
function DocumentsSection({
  orgId,
  people,
  documents,
  checks,
  editable,
  checking,
  onChange,
}: {
  orgId: string;
  people: Person[];
  documents: KybDocument[];
  /** Every check of the latest submission (`GET …/verification`); a document's have subject `document.<id>`. */
  checks: Check[];
  editable: boolean;
  checking: boolean;
  onChange: () => Promise<void>;
}) {
  const [type, setType] = useState<string>('certificate_of_incorporation');
  const [personId, setPersonId] = useState<string | null>(null);
  const [documentNumber, setDocumentNumber] = useState('');
  const [issuingCountry, setIssuingCountry] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | undefined>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const identity = IDENTITY_TYPES.includes(type);
  const fieldError = (field: string) => (error instanceof ApiProblem ? error.fieldMessage(field) : undefined);
  const personName = (id: string | null) => {
    const p = people.find((x) => x.id === id);
    return p ? `${p.firstName} ${p.lastName}` : undefined;
  };

  async function send(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    setDone('');
    if (!file) {
      setError(
        new ApiProblem(400, 'No file', 'Choose a file to upload (PDF, JPEG or PNG, at most 10 MB).', undefined, []),
      );
      return;
    }
    setProgress(0);
    try {
      const fields: Record<string, string> = { type };
      if (identity) {
        if (personId) fields.personId = personId;
        fields.documentNumber = documentNumber;
        fields.issuingCountry = issuingCountry;
        fields.expiresOn = expiresOn;
      }
      const doc = await uploadDocument(orgId, file, fields, setProgress);
      setDone(`${DOCUMENT_TYPE_WORDS[doc.type] ?? doc.type} uploaded (${byteSize(doc.size)}).`);
      setFile(null);
      setDocumentNumber('');
      setIssuingCountry('');
      setExpiresOn('');
      if (fileInput.current) fileInput.current.value = '';
      await onChange();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(undefined);
    }
  }

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Documents
        </Title>
        <Text size="sm" c="dimmed">
          A certificate of incorporation, and an identity document for every director and beneficial owner. PDF, JPEG or
          PNG, at most 10 MB each; files are stored encrypted. Automated checks run on them when you submit.
        </Text>
        {documents.length === 0 ? (
          <Text>No documents yet. Upload the first one below.</Text>
        ) : (
          <Stack gap="xs">
            {documents.map((d) => {
              const own = checks.filter((c) => c.subject === `document.${d.id}`);
              return (
                <Card
                  key={d.id}
                  withBorder
                  padding="sm"
                  component="section"
                  aria-label={DOCUMENT_TYPE_WORDS[d.type] ?? d.type}
                >
                  <Group justify="space-between" wrap="nowrap">
                    <div>
                      <Text fw={600}>
                        {DOCUMENT_TYPE_WORDS[d.type] ?? d.type}
                        {personName(d.personId) ? ` of ${personName(d.personId)}` : ''}
                      </Text>
                      <Text size="sm" c="dimmed">
                        {d.mimeType}, {byteSize(d.size)}
                        {d.documentNumber ? `, number ${d.documentNumber}` : ''}
                        {d.expiresOn ? `, expires ${d.expiresOn}` : ''}
                      </Text>
                    </div>
                  </Group>
                  {own.length > 0 ? (
                    <List listStyleType="none" spacing="xs" mt="xs" aria-label="Check results">
                      {own.map((c) => (
                        <CheckLine key={`${c.subject}:${c.name}`} check={c} />
                      ))}
                    </List>
                  ) : (
                    <Text size="sm" mt="xs">
                      {checking ? 'Checks are running…' : 'Checked after you submit.'}
                    </Text>
                  )}
                </Card>
              );
            })}
          </Stack>
        )}
        {editable && (
          <form onSubmit={(e) => void send(e)} noValidate aria-labelledby="upload-document">
            <Stack gap="sm">
              <Title order={3} size="h4" id="upload-document">
                Upload a document
              </Title>
              <ProblemAlert error={error} title="The document was not uploaded" />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Select
                  label="Document type"
                  data={Object.entries(DOCUMENT_TYPE_WORDS).map(([value, label]) => ({ value, label }))}
                  value={type}
                  allowDeselect={false}
                  error={fieldError('type')}
                  onChange={(v) => setType(v ?? 'certificate_of_incorporation')}
                />
                {identity && (
                  <Select
                    label="Whose document"
                    placeholder={people.length ? 'Choose a person' : 'Add the person first'}
                    data={people.map((p) => ({
                      value: p.id,
                      label: `${p.firstName} ${p.lastName}`,
                    }))}
                    value={personId}
                    error={fieldError('personId')}
                    onChange={setPersonId}
                  />
                )}
                {identity && (
                  <TextInput
                    label="Document number"
                    value={documentNumber}
                    error={fieldError('documentNumber')}
                    onChange={(e) => setDocumentNumber(e.currentTarget.value)}
                  />
                )}
                {identity && (
                  <TextInput
                    label="Issuing country"
                    description="Two-letter code, e.g. GB."
                    maxLength={2}
                    value={issuingCountry}
                    error={fieldError('issuingCountry')}
                    onChange={(e) => setIssuingCountry(e.currentTarget.value.toUpperCase())}
                  />
                )}
                {identity && (
                  <TextInput
                    label="Expiry date"
                    type="date"
                    value={expiresOn}
                    error={fieldError('expiresOn')}
                    onChange={(e) => setExpiresOn(e.currentTarget.value)}
                  />
                )}
              </SimpleGrid>
              <div>
                <Text component="label" htmlFor="document-file" size="sm" fw={500} display="block">
                  File
                </Text>
                <input
                  id="document-file"
                  ref={fileInput}
                  type="file"
                  accept="application/pdf,image/jpeg,image/png"
                  aria-describedby="document-file-help"
                  onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
                />
                <Text id="document-file-help" size="xs" c="dimmed">
                  PDF, JPEG or PNG, at most 10 MB.
                </Text>
                {fieldError('file') && (
                  <Text c="red.9" size="sm">
                    {fieldError('file')}
                  </Text>
                )}
              </div>
              {progress !== undefined && (
                <div>
                  <Progress value={Math.round(progress * 100)} aria-label="Upload progress" size="lg" />
                  <Text size="sm" aria-hidden>
                    {Math.round(progress * 100)}% sent
                  </Text>
                </div>
              )}
              <div role="status" aria-live="polite">
                {done && <Text>{done}</Text>}
              </div>
              <Group>
                <Button type="submit" loading={progress !== undefined}>
                  Upload
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}

/** Submit for verification; a 422 lists what is still due. */
function SubmitSection({
  orgId,
  verification,
  people,
  onChange,
}: {
  orgId: string;
  verification: Verification;
  people: Person[];
  onChange: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const due = verification.requirements.currentlyDue;

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.POST('/v1/organisations/{orgId}/verification/submit', {
          params: { path: { orgId } },
        }),
      );
      await onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Submit for verification
        </Title>
        <Text size="sm">
          Once submitted, automated checks run and a reviewer at the bank looks at your case. You cannot change people
          or documents while it is being reviewed.
        </Text>
        {error !== undefined && (
          <Alert color="red" title="Not submitted" role="alert">
            {problemText(error)}
            {error instanceof ApiProblem && error.errors.length > 0 && (
              <List>
                {error.errors.map((e) => (
                  <List.Item key={`${e.field}:${e.message}`}>{requirementWords(e.field, people)}</List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void submit()} loading={busy} disabled={due.length > 0}>
            Submit for verification
          </Button>
          {due.length > 0 && (
            <Text size="sm" c="dimmed">
              {due.length === 1 ? 'One thing' : `${due.length} things`} still to do (listed above).
            </Text>
          )}
        </Group>
        <Anchor component={Link} to="/organisations" size="sm">
          Back to your organisations
        </Anchor>
      </Stack>
    </Paper>
  );
}
