import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { Loading, RequireAccount } from '../../components/RequireSession';
import { useScopes } from './Apps';
import { SecretOnce } from './SecretOnce';
import { usePolling } from './usePolling';
import { STATUS_WORDS, type App } from './words';

type AttestationItem = components['schemas']['AttestationItemView'];
type Certificate = components['schemas']['CertificateAnswer'];

const PRODUCTION_WORDS: Record<string, string> = {
  none: 'Sandbox only: production access not requested yet.',
  requested: 'Production access requested: waiting for a reviewer.',
  in_review: 'Production access requested: a reviewer is looking at it.',
  info_requested: 'The reviewer asked for more: see their requests below and ask again.',
  approved: 'Production access approved.',
  rejected: 'Production access was refused: see the reasons below.',
};

/** One app (`/organisations/:orgId/apps/:appId`): credentials, production access, certificates, webhook, consents. */
export function AppPage() {
  return (
    <RequireAccount kind="developer">
      <AppView />
    </RequireAccount>
  );
}

function AppView() {
  const { orgId = '', appId = '' } = useParams();
  const path = { params: { path: { orgId, appId } } };
  const { data, error, reload } = usePolling(
    () =>
      Promise.all([
        unwrap(api.GET('/v1/organisations/{orgId}', { params: { path: { orgId } } })),
        unwrap(api.GET('/v1/organisations/{orgId}/apps/{appId}', path)),
        unwrap(api.GET('/v1/organisations/{orgId}/apps/{appId}/production-access', path)),
        unwrap(
          api.GET('/v1/organisations/{orgId}/apps/{appId}/consents', {
            ...path,
            params: { ...path.params, query: { limit: 1 } },
          }),
        ),
      ]),
    { intervalMs: 5000 },
  );
  if (!data) return <Page title="App">{error ? <ProblemAlert error={error} /> : <Loading />}</Page>;
  const [organisation, app, requests, consents] = data;
  const canEdit = organisation.myRole !== 'member';
  return (
    <Page title={app.name} lead={app.description} size="lg">
      <Anchor component={Link} to={`/organisations/${orgId}/apps`} size="sm">
        Back to the apps of {organisation.legalName}
      </Anchor>
      <Paper withBorder p="lg" radius="md">
        <Stack gap="xs">
          <Title order={2} size="h3">
            Credentials
          </Title>
          <Text>
            Sandbox client id: <Code>{app.sandboxClientId}</Code>
          </Text>
          <Text>
            Production client id: {app.productionClientId ? <Code>{app.productionClientId}</Code> : 'not yet issued'}
            {app.production.status !== 'approved' && ' (it works once production access is approved)'}
          </Text>
          <Text size="sm">
            Scopes:{' '}
            {app.scopes.map((s) => (
              <Code key={s} mr={4}>
                {s}
              </Code>
            ))}
          </Text>
          <Text size="sm">Redirect URIs: {app.redirectUris.join(', ')}</Text>
          {app.suspended && (
            <Alert color="red" title="Suspended">
              The bank suspended this app's production access
              {app.suspended.reason ? `: ${app.suspended.reason}` : ''}.
            </Alert>
          )}
        </Stack>
      </Paper>
      <Paper withBorder p="lg" radius="md">
        <Stack gap="xs">
          <Title order={2} size="h3">
            Customers' consents
          </Title>
          <SimpleGrid cols={3}>
            <Count label="Active" value={consents.counts.active} />
            <Count label="Revoked" value={consents.counts.revoked} />
            <Count label="Expired" value={consents.counts.expired} />
          </SimpleGrid>
          {consents.counts.active + consents.counts.revoked + consents.counts.expired === 0 && (
            <Text size="sm" c="dimmed">
              No customer has consented yet. Send a sandbox customer through your app's sign-in to see one here.
            </Text>
          )}
        </Stack>
      </Paper>
      <ProductionSection
        orgId={orgId}
        app={app}
        organisationStatus={organisation.verification.status}
        requests={requests.data}
        canEdit={canEdit}
        onChange={reload}
      />
      <CertificatesSection orgId={orgId} appId={appId} canEdit={canEdit} />
      <WebhookSection orgId={orgId} appId={appId} canEdit={canEdit} />
    </Page>
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
    </div>
  );
}

type ProductionRequest = components['schemas']['ProductionAccessAnswer'];

/** Production access: where it stands, the reviewers' words, and the request form with the attestation explained. */
function ProductionSection({
  orgId,
  app,
  organisationStatus,
  requests,
  canEdit,
  onChange,
}: {
  orgId: string;
  app: App;
  organisationStatus: string;
  requests: ProductionRequest[];
  canEdit: boolean;
  onChange: () => Promise<void>;
}) {
  const latest = requests[0];
  const status = app.production.status;
  const mayAsk = canEdit && ['none', 'rejected', 'info_requested'].includes(status);
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Production access
        </Title>
        <div role="status" aria-live="polite">
          <Text fw={500} data-testid="production-status">
            {PRODUCTION_WORDS[status] ?? status}
          </Text>
          {status === 'approved' && app.production.problem && <Text c="red.9">{app.production.problem}</Text>}
        </div>
        {latest?.reasons && latest.reasons.length > 0 && (
          <Alert color="orange" title="The reviewer's reasons">
            <List>
              {latest.reasons.map((r) => (
                <List.Item key={r.code}>{r.text}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        {latest?.requestedItems && latest.requestedItems.length > 0 && (
          <Alert color="orange" title="The reviewer asked for">
            <List>
              {latest.requestedItems.map((r) => (
                <List.Item key={r.requirement}>
                  {r.requirement}: {r.message}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {mayAsk && organisationStatus !== 'approved' && (
          <Alert color="blue" title="First, verify your organisation">
            Production access is possible once the bank has verified your organisation (it is now “
            {STATUS_WORDS[organisationStatus]?.label ?? organisationStatus}”).{' '}
            <Anchor component={Link} to={`/organisations/${orgId}`}>
              Continue verification
            </Anchor>
          </Alert>
        )}
        {mayAsk && <ProductionForm orgId={orgId} app={app} onChange={onChange} />}
      </Stack>
    </Paper>
  );
}

function ProductionForm({ orgId, app, onChange }: { orgId: string; app: App; onChange: () => Promise<void> }) {
  const scopes = useScopes();
  const [items, setItems] = useState<AttestationItem[]>();
  const [justifications, setJustifications] = useState<Record<string, string>>({});
  const [privacyPolicyUrl, setPrivacyPolicyUrl] = useState('');
  const [retention, setRetention] = useState<number | string>(90);
  const [attested, setAttested] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fieldError = (field: string) => (error instanceof ApiProblem ? error.fieldMessage(field) : undefined);

  useEffect(() => {
    let live = true;
    unwrap(api.GET('/v1/security-attestation'))
      .then((r) => live && setItems(r.data))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const securityAttestation = Object.fromEntries((items ?? []).map((i) => [i.item, attested[i.item] === true]));
      await unwrap(
        api.POST('/v1/organisations/{orgId}/apps/{appId}/production-access', {
          params: { path: { orgId, appId: app.id } },
          body: {
            scopeJustifications: justifications,
            privacyPolicyUrl,
            dataRetentionDays: Number(retention),
            securityAttestation: securityAttestation as components['schemas']['SecurityAttestationDto'],
          },
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
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="ask-production">
      <Stack gap="sm">
        <Title order={3} size="h4" id="ask-production">
          Ask for production access
        </Title>
        <Text size="sm">
          A reviewer at the bank reads this. Say plainly what your app does with each kind of data; the attestation
          below lists the promises the bank relies on, each with why it matters.
        </Text>
        <ProblemAlert error={error} title="The request was not sent" />
        {app.scopes.map((s) => {
          const scope = scopes?.find((x) => x.name === s);
          return (
            <Textarea
              key={s}
              label={`Why your app needs ${scope?.title ?? s} (${s})`}
              description={`${scope?.description ?? ''} 20 to 2,000 characters.`}
              required
              autosize
              minRows={2}
              value={justifications[s] ?? ''}
              error={fieldError(`scopeJustifications.${s}`)}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setJustifications((old) => ({ ...old, [s]: value }));
              }}
            />
          );
        })}
        {fieldError('scopeJustifications') && (
          <Text c="red.9" size="sm">
            {fieldError('scopeJustifications')}
          </Text>
        )}
        <Group grow align="flex-start">
          <TextInput
            label="Privacy policy URL"
            description="It must say what you do with bank data."
            type="url"
            placeholder="https://"
            required
            value={privacyPolicyUrl}
            error={fieldError('privacyPolicyUrl')}
            onChange={(e) => setPrivacyPolicyUrl(e.currentTarget.value)}
          />
          <NumberInput
            label="Days you keep customer data"
            description="After you fetched it; 1 to 3,650."
            min={1}
            max={3650}
            required
            value={retention}
            error={fieldError('dataRetentionDays')}
            onChange={setRetention}
          />
        </Group>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <legend>
            <Text fw={600}>Security attestation</Text>
          </legend>
          <Text size="sm" mb="xs">
            Tick each promise your app keeps. Every one is needed.
          </Text>
          {items === undefined && <Loading label="Loading the attestation" />}
          <Stack gap="sm">
            {items?.map((i) => (
              <Checkbox
                key={i.item}
                label={i.title}
                description={i.explanation}
                checked={attested[i.item] === true}
                error={fieldError(`securityAttestation.${i.item}`)}
                onChange={(e) => {
                  const checked = e.currentTarget.checked;
                  setAttested((old) => ({ ...old, [i.item]: checked }));
                }}
              />
            ))}
          </Stack>
        </fieldset>
        <Group>
          <Button type="submit" loading={busy}>
            Ask for production access
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Client certificates: paste a CSR, get a certificate signed by Gatehouse's CA, download its PEM. */
function CertificatesSection({ orgId, appId, canEdit }: { orgId: string; appId: string; canEdit: boolean }) {
  const path = { params: { path: { orgId, appId } } };
  const {
    data,
    error: loadError,
    reload,
  } = usePolling(
    () => unwrap(api.GET('/v1/organisations/{orgId}/apps/{appId}/certificates', path)).then((r) => r.data),
    { active: false },
  );
  const [csr, setCsr] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [issued, setIssued] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setIssued('');
    try {
      const c = await unwrap(
        api.POST('/v1/organisations/{orgId}/apps/{appId}/certificates', {
          params: {
            path: { orgId, appId },
            header: { 'idempotency-key': crypto.randomUUID() },
          },
          body: { csr },
        }),
      );
      setCsr('');
      setIssued(`Certificate issued, valid until ${new Date(c.notAfter).toUTCString()}.`);
      await reload();
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
          Client certificates
        </Title>
        <Text size="sm">
          Apps using high-risk scopes present a certificate from Gatehouse's CA when they call the API (mutual TLS), so
          a stolen token is useless without your private key. Your key never leaves your machine: you send a certificate
          signing request (CSR) and get the certificate back. Several may be active at once, so you can rotate without
          downtime. <Anchor href="/v1/ca.pem">Download Gatehouse's CA certificate</Anchor>.
        </Text>
        <ProblemAlert error={loadError} />
        {data?.length === 0 && <Text>No certificates yet.</Text>}
        {data && data.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Valid until</Table.Th>
                <Table.Th>Thumbprint (SHA-256)</Table.Th>
                <Table.Th>PEM</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((c) => (
                <CertificateRow key={c.id} certificate={c} />
              ))}
            </Table.Tbody>
          </Table>
        )}
        <div role="status" aria-live="polite">
          {issued && <Text>{issued}</Text>}
        </div>
        {canEdit && (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack gap="sm">
              <ProblemAlert error={error} title="No certificate was issued" />
              <Textarea
                label="Certificate signing request (PEM)"
                description="For example: openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout app.key -subj /CN=myapp"
                placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                autosize
                minRows={4}
                styles={{ input: { fontFamily: 'monospace' } }}
                value={csr}
                onChange={(e) => setCsr(e.currentTarget.value)}
              />
              <Group>
                <Button type="submit" loading={busy}>
                  Issue certificate
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}

function CertificateRow({ certificate: c }: { certificate: Certificate }) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([c.certificate], { type: 'application/x-pem-file' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${c.serialNumber}.pem`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Table.Tr>
      <Table.Td>{c.subject}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={c.status === 'active' ? 'green' : 'gray'}>
          {c.status}
        </Badge>
      </Table.Td>
      <Table.Td>{new Date(c.notAfter).toUTCString()}</Table.Td>
      <Table.Td
        style={{
          wordBreak: 'break-all',
          fontFamily: 'monospace',
          fontSize: 12,
        }}
      >
        {c.thumbprint}
      </Table.Td>
      <Table.Td>
        <Button size="xs" variant="default" onClick={download}>
          Download PEM
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

/** The webhook URL, its signing secret (shown once) and the delivery log. */
function WebhookSection({ orgId, appId, canEdit }: { orgId: string; appId: string; canEdit: boolean }) {
  const path = { params: { path: { orgId, appId } } };
  const {
    data,
    error: loadError,
    reload,
  } = usePolling(
    () =>
      Promise.all([
        unwrap(api.GET('/v1/organisations/{orgId}/apps/{appId}/webhook', path)),
        unwrap(api.GET('/v1/organisations/{orgId}/apps/{appId}/webhook/deliveries', path)),
      ]),
    { intervalMs: 5000 },
  );
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [secret, setSecret] = useState<string>();
  const fieldError = (field: string) => (error instanceof ApiProblem ? error.fieldMessage(field) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const set = await unwrap(
        api.PUT('/v1/organisations/{orgId}/apps/{appId}/webhook', {
          ...path,
          body: { url },
        }),
      );
      setSecret(set.secret);
      setUrl('');
      await reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const [webhook, deliveries] = data ?? [];
  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Webhook
        </Title>
        <Text size="sm">
          Gatehouse tells your server when a customer revokes or narrows a consent, a consent expires, your app is
          suspended or credentials are rotated, so you can stop using data at once. Each event is signed (HMAC-SHA256 in
          the Gatehouse-Signature header) and retried if your server does not answer 2xx.
        </Text>
        <ProblemAlert error={loadError} />
        {webhook && (
          <Text>
            {webhook.url ? (
              <>
                Events go to <Code>{webhook.url}</Code>
              </>
            ) : (
              'No webhook URL yet.'
            )}
          </Text>
        )}
        {secret && <SecretOnce label="signing secret" secret={secret} onDone={() => setSecret(undefined)} />}
        {canEdit && (
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Group align="flex-end">
              <TextInput
                label={webhook?.url ? 'New webhook URL' : 'Webhook URL'}
                type="url"
                placeholder="https://"
                style={{ flex: 1 }}
                value={url}
                error={
                  fieldError('url') ?? (error instanceof ApiProblem && !error.errors.length ? error.detail : undefined)
                }
                onChange={(e) => setUrl(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                Save webhook
              </Button>
            </Group>
          </form>
        )}
        <Title order={3} size="h4">
          Delivery log
        </Title>
        {deliveries && deliveries.data.length === 0 && <Text size="sm">No events sent yet.</Text>}
        {deliveries && deliveries.data.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last answer</Table.Th>
                <Table.Th>Sent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {deliveries.data.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{d.eventType}</Table.Td>
                  <Table.Td>
                    {d.status}
                    {d.nextAttemptAt ? `, next try ${new Date(d.nextAttemptAt).toUTCString()}` : ''}
                  </Table.Td>
                  <Table.Td>{d.attempts}</Table.Td>
                  <Table.Td>{d.lastStatusCode ?? d.lastError ?? '—'}</Table.Td>
                  <Table.Td>{new Date(d.createdAt).toUTCString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
