import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Fieldset,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Loading, RequireCustomer } from '../../components/RequireSession';
import { Page, ProblemAlert } from '../../components/Page';
import { RevokeButton } from './Revoke';
import { usePolling } from './usePolling';
import {
  STATUS_COLOUR,
  accountLabel,
  categoryLabel,
  categoryWords,
  day,
  endpointWords,
  listWords,
  merchantWords,
  moment,
  statusWords,
  windowWords,
  type AccessLogEntry,
  type Category,
  type ConsentDetail,
} from './words';

type NarrowBody = components['schemas']['NarrowConsentDto'];

/** Every category a consent may be restricted to: the API's own list (the schema's enum). */
const CATEGORIES: Category[] = [
  'groceries',
  'transport',
  'eating_out',
  'bills',
  'mortgage',
  'car_finance',
  'salary',
  'shopping',
  'entertainment',
  'transfers',
  'cash',
  'other',
] satisfies Category[];

/** How often the access log is re-read while the page is open: the app's reads land within seconds. */
const ACCESS_LOG_POLL_MS = 3000;

/**
 * One consent, as the link in a customer's email opens it (`/customer/consents/:consentId`): what it
 * allows in plain words, the receipt they agreed to, every read the app made (kept current while the
 * page is open), the narrowing form (the API refuses widening with 422 naming the field, shown next
 * to it), and revocation in two clicks.
 */
export function ConsentPage() {
  return (
    <RequireCustomer>
      <ConsentBody />
    </RequireCustomer>
  );
}

function ConsentBody() {
  const { consentId = '' } = useParams();
  const navigate = useNavigate();
  const [consent, setConsent] = useState<ConsentDetail>();
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');

  const load = useCallback(async () => {
    try {
      setConsent(await unwrap(api.GET('/v1/customer/consents/{consentId}', { params: { path: { consentId } } })));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, [consentId]);

  useEffect(() => {
    void load();
  }, [load]);

  if (!consent) {
    return (
      <Page title="Consent">
        {error instanceof ApiProblem && error.status === 404 ? (
          <Alert color="blue" title="No such consent">
            This consent does not exist or is not yours. Check that you signed in as the right person, or go to{' '}
            <Anchor component={Link} to="/customer">
              your connected apps
            </Anchor>
            .
          </Alert>
        ) : error ? (
          <ProblemAlert error={error} title="Could not load the consent" />
        ) : (
          <Loading label="Loading the consent" />
        )}
      </Page>
    );
  }

  const active = consent.status === 'active';
  return (
    <Page
      title={`${consent.app.name}: what you allowed`}
      lead={`${consent.app.name} is provided by ${consent.app.organisationName}. You gave this consent on ${day(consent.createdAt)}.`}
      actions={
        <Group justify="space-between">
          <Group gap="xs">
            <Badge color={STATUS_COLOUR[consent.status]} variant="light" c="dark.8" size="lg">
              {statusWords(consent)}
            </Badge>
            {consent.environment === 'sandbox' && (
              <Badge color="grape" variant="light" c="dark.8" size="lg">
                Sandbox: test data only
              </Badge>
            )}
          </Group>
          {active && (
            <RevokeButton
              label="Revoke this consent"
              title={`Revoke ${consent.app.name}'s access?`}
              confirmLabel="Revoke consent"
              onConfirm={async () => {
                await unwrap(api.DELETE('/v1/customer/consents/{consentId}', { params: { path: { consentId } } }));
                setStatus(`Revoked: ${consent.app.name} can no longer read your data under this consent.`);
                await load();
              }}
            >
              {consent.app.name} stops being able to read your data under this consent at once. This cannot be undone;
              the app would have to ask you again.
            </RevokeButton>
          )}
        </Group>
      }
    >
      <div role="status" aria-live="polite">
        {status && <Alert color="green">{status}</Alert>}
      </div>
      <ProblemAlert error={error} />
      <Allows consent={consent} />
      {active && (
        <Narrow
          consent={consent}
          onSaved={async (version) => {
            setStatus(`Saved: the consent is narrower now (version ${version}). A new receipt is below.`);
            await load();
          }}
        />
      )}
      <AccessLog consent={consent} />
      <Receipt consent={consent} />
      <Text size="sm">
        <Anchor component="button" type="button" onClick={() => navigate('/customer')}>
          Back to your connected apps
        </Anchor>
      </Text>
    </Page>
  );
}

function Allows({ consent }: { consent: ConsentDetail }) {
  const c = consent.constraints;
  const rows: [string, string][] = [
    ['Accounts', listWords(c.accountIds.map((id) => accountLabel(id, consent.accounts)))],
    ['Transaction dates', windowWords(c.transactionWindow)],
    ['Merchants', merchantWords(c.merchants)],
    ['Categories', categoryWords(c.categories)],
    ['Ends', consent.status === 'active' ? `On ${day(consent.expiresAt)} at the latest` : statusWords(consent)],
    ['Why the app asks', consent.purpose],
    ['Last read', consent.lastUsedAt ? moment(consent.lastUsedAt) : 'Never'],
  ];
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="allows">
      <Stack gap="sm">
        <Title order={2} size="h3" id="allows">
          What it allows
        </Title>
        <div>
          <Text fw={600}>The data it may read</Text>
          <Stack gap={4} mt={4}>
            {consent.receipt.dataList.map((d) => (
              <Text key={d.scope} size="sm">
                <strong>{d.title}.</strong> {d.description}
              </Text>
            ))}
          </Stack>
        </div>
        <Table variant="vertical" layout="fixed" withTableBorder>
          <Table.Tbody>
            {rows.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Th w={180}>{k}</Table.Th>
                <Table.Td>{v}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Paper>
  );
}

/** The form's fields as text, ready to compare with the consent's terms. */
interface NarrowForm {
  accountIds: string[];
  scopes: string[];
  from: string;
  to: string;
  merchants: string;
  categories: string[];
  endsOn: string;
}

function formOf(consent: ConsentDetail): NarrowForm {
  const c = consent.constraints;
  return {
    accountIds: [...c.accountIds],
    scopes: [...consent.scopes],
    from: c.transactionWindow?.from ?? '',
    to: c.transactionWindow?.to ?? '',
    merchants: (c.merchants ?? []).join(', '),
    categories: [...(c.categories ?? [])],
    endsOn: consent.expiresAt.slice(0, 10),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The PATCH body: only what the customer changed (absent fields stay as they are). */
function patchOf(consent: ConsentDetail, f: NarrowForm): NarrowBody {
  const c = consent.constraints;
  const body: NarrowBody = {};
  if (!sameSet(f.accountIds, c.accountIds)) body.accountIds = f.accountIds;
  if (!sameSet(f.scopes, consent.scopes)) body.scopes = f.scopes as NarrowBody['scopes'];
  const window = f.from || f.to ? { from: f.from, to: f.to } : null;
  if (JSON.stringify(window) !== JSON.stringify(c.transactionWindow ?? null)) body.transactionWindow = window;
  const merchants = f.merchants
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (!sameSet(merchants, c.merchants ?? [])) body.merchants = merchants.length ? merchants : null;
  if (!sameSet(f.categories, c.categories ?? [])) {
    body.categories = (f.categories.length ? f.categories : null) as NarrowBody['categories'];
  }
  // The end of the chosen day (UTC); the day the consent already ends on changes nothing.
  if (f.endsOn && f.endsOn !== consent.expiresAt.slice(0, 10)) body.expiresAt = `${f.endsOn}T23:59:59Z`;
  return body;
}

function Narrow({ consent, onSaved }: { consent: ConsentDetail; onSaved: (version: number) => Promise<void> }) {
  const [form, setForm] = useState<NarrowForm>(() => formOf(consent));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [nothing, setNothing] = useState(false);

  useEffect(() => setForm(formOf(consent)), [consent]);

  const fieldError = (field: string) =>
    error instanceof ApiProblem
      ? error.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message
      : undefined;
  const named = ['accountIds', 'scopes', 'transactionWindow', 'merchants', 'categories', 'expiresAt'];
  const unplaced = error instanceof ApiProblem && error.errors.some((e) => named.some((n) => e.field.startsWith(n)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = patchOf(consent, form);
    setNothing(Object.keys(body).length === 0);
    if (Object.keys(body).length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const saved = await unwrap(
        api.PATCH('/v1/customer/consents/{consentId}', { params: { path: { consentId: consent.id } }, body }),
      );
      await onSaved(saved.version);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const set = <K extends keyof NarrowForm>(k: K, v: NarrowForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="narrow">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="md">
          <div>
            <Title order={2} size="h3" id="narrow">
              Narrow what it may see
            </Title>
            <Text size="sm" c="dimmed">
              You can share less at any time: fewer accounts or kinds of data, a shorter date window, only some
              merchants or categories, an earlier end. To share more, the app has to ask you again.
            </Text>
          </div>
          {error !== undefined && (
            <ProblemAlert error={error} title={unplaced ? 'Nothing was changed' : 'Could not save'} />
          )}
          {nothing && (
            <Text size="sm" role="status">
              Nothing to save: change a field first.
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
            <Checkbox.Group
              label="Accounts it may read"
              value={form.accountIds}
              onChange={(v) => set('accountIds', v)}
              error={fieldError('accountIds')}
            >
              <Stack gap={6} mt={6}>
                {consent.constraints.accountIds.map((id) => (
                  <Checkbox key={id} value={id} label={accountLabel(id, consent.accounts)} />
                ))}
              </Stack>
            </Checkbox.Group>
            <Checkbox.Group
              label="Data it may read"
              value={form.scopes}
              onChange={(v) => set('scopes', v)}
              error={fieldError('scopes')}
            >
              <Stack gap={6} mt={6}>
                {consent.receipt.dataList.map((d) => (
                  <Checkbox key={d.scope} value={d.scope} label={d.title} />
                ))}
              </Stack>
            </Checkbox.Group>
          </SimpleGrid>
          <Fieldset
            legend={
              <Text component="span" fw={500} size="sm">
                Transaction dates
              </Text>
            }
            variant="unstyled"
            p={0}
          >
            <Text size="xs" c="dimmed" mb={4}>
              {consent.constraints.transactionWindow
                ? `Now ${day(consent.constraints.transactionWindow.from)} to ${day(consent.constraints.transactionWindow.to)}; you can only move the dates inwards.`
                : 'Now any date. Set both dates to share only the transactions between them.'}
            </Text>
            <Group grow align="flex-start">
              <TextInput
                type="date"
                label="From"
                value={form.from}
                onChange={(e) => set('from', e.currentTarget.value)}
                error={!!fieldError('transactionWindow')}
              />
              <TextInput
                type="date"
                label="To"
                value={form.to}
                onChange={(e) => set('to', e.currentTarget.value)}
                error={fieldError('transactionWindow')}
              />
            </Group>
          </Fieldset>
          <TextInput
            label="Only these merchants"
            description="Names separated by commas, e.g. Tesco, Trainline. Empty: any merchant."
            value={form.merchants}
            onChange={(e) => set('merchants', e.currentTarget.value)}
            error={fieldError('merchants')}
          />
          <Checkbox.Group
            label="Only these categories"
            description="None ticked: any category."
            value={form.categories}
            onChange={(v) => set('categories', v as Category[])}
            error={fieldError('categories')}
          >
            <SimpleGrid cols={{ base: 2, sm: 4 }} spacing={6} mt={6}>
              {CATEGORIES.map((c) => (
                <Checkbox key={c} value={c} label={categoryLabel(c)} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <TextInput
            type="date"
            label="Ends on"
            description={`Now ${day(consent.expiresAt)}. You can bring the end forward.`}
            value={form.endsOn}
            onChange={(e) => set('endsOn', e.currentTarget.value)}
            error={fieldError('expiresAt')}
            maw={260}
          />
          <Group>
            <Button type="submit" loading={busy}>
              Save the narrower consent
            </Button>
            <Button variant="default" type="button" onClick={() => (setForm(formOf(consent)), setError(undefined))}>
              Undo my changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function AccessLog({ consent }: { consent: ConsentDetail }) {
  const [entries, setEntries] = useState<AccessLogEntry[]>();
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [more, setMore] = useState(false);

  const readFirst = useCallback(async () => {
    try {
      const page = await unwrap(
        api.GET('/v1/customer/consents/{consentId}/access-log', {
          params: { path: { consentId: consent.id }, query: { limit: 50 } },
        }),
      );
      // Keep the older pages already loaded; the first page is what changes.
      setEntries((old) => {
        if (!old || !more) return page.data;
        const seen = new Set(page.data.map((e) => `${e.at}|${e.requestId}|${e.endpoint}`));
        return [...page.data, ...old.filter((e) => !seen.has(`${e.at}|${e.requestId}|${e.endpoint}`))];
      });
      if (!more) setNextCursor(page.nextCursor);
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, [consent.id, more]);

  useEffect(() => {
    void readFirst();
  }, [readFirst]);
  usePolling(readFirst, ACCESS_LOG_POLL_MS, consent.status === 'active');

  async function loadMore() {
    if (!nextCursor) return;
    try {
      const page = await unwrap(
        api.GET('/v1/customer/consents/{consentId}/access-log', {
          params: { path: { consentId: consent.id }, query: { limit: 50, cursor: nextCursor } },
        }),
      );
      setMore(true);
      setEntries((old) => [...(old ?? []), ...page.data]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="access-log">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h3" id="access-log">
            What the app read
          </Title>
          <Text size="sm" c="dimmed">
            Every read {consent.app.name} made under this consent, newest first.
            {consent.status === 'active' && ' New reads appear here within a few seconds.'}
          </Text>
        </div>
        <ProblemAlert error={error} title="Could not load the access log" />
        {entries === undefined && !error && <Loading label="Loading the access log" />}
        {entries?.length === 0 && (
          <Text size="sm">
            {consent.app.name} has not read anything yet. When it does, each read is listed here with the accounts and
            dates it covered.
          </Text>
        )}
        {entries && entries.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-describedby="access-log">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">What</Table.Th>
                  <Table.Th scope="col">Accounts</Table.Th>
                  <Table.Th scope="col">Transaction dates</Table.Th>
                  <Table.Th scope="col">Records</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e, i) => (
                  <Table.Tr key={`${e.at}|${e.requestId ?? i}|${e.endpoint}`}>
                    <Table.Td>{moment(e.at)}</Table.Td>
                    <Table.Td title={e.endpoint}>{endpointWords(e.endpoint)}</Table.Td>
                    <Table.Td>
                      {e.accountIds.length
                        ? listWords(e.accountIds.map((id) => accountLabel(id, consent.accounts)))
                        : '—'}
                    </Table.Td>
                    <Table.Td>
                      {e.dateRange && (e.dateRange.from || e.dateRange.to)
                        ? `${e.dateRange.from ? day(e.dateRange.from) : 'the start'} to ${e.dateRange.to ? day(e.dateRange.to) : 'now'}`
                        : '—'}
                    </Table.Td>
                    <Table.Td>{e.records}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {nextCursor && (
          <Group>
            <Button variant="default" onClick={() => void loadMore()}>
              Show older reads
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

function Receipt({ consent }: { consent: ConsentDetail }) {
  const r = consent.receipt;
  const older = consent.receipts.filter((x) => x.version !== r.version);
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="receipt">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h3" id="receipt">
            Your receipt
          </Title>
          <Text size="sm" c="dimmed">
            The exact words you agreed to, kept by the bank even after the consent ends. The fingerprint (SHA-256)
            changes if a single character of it does.
          </Text>
        </div>
        <Text component="blockquote" m={0} pl="md" style={{ borderLeft: '3px solid var(--mantine-color-blue-6)' }}>
          {r.wording}
        </Text>
        <Table variant="vertical" layout="fixed" withTableBorder>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={180}>Consent version</Table.Th>
              <Table.Td>{r.version}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Your decision</Table.Th>
              <Table.Td>
                {r.decision === 'approved' ? 'Approved' : 'Narrowed'} on {moment(r.decidedAt)}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Wording version</Table.Th>
              <Table.Td>{r.wordingVersion}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Fingerprint (SHA-256)</Table.Th>
              <Table.Td>
                <Code style={{ wordBreak: 'break-all' }}>{r.sha256}</Code>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        {older.length > 0 && (
          <details>
            <summary>Earlier receipts ({older.length})</summary>
            <Stack gap="xs" mt="xs">
              {older.map((o) => (
                <Text key={o.version} size="sm">
                  Version {o.version}, {o.decision} on {moment(o.decidedAt)}: {o.wording}{' '}
                  <Code style={{ wordBreak: 'break-all' }}>{o.sha256}</Code>
                </Text>
              ))}
            </Stack>
          </details>
        )}
      </Stack>
    </Paper>
  );
}
