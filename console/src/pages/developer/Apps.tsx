import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Paper,
  Stack,
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
import { SecretOnce } from './SecretOnce';
import { usePolling } from './usePolling';
import type { CreatedApp } from './words';

type Scope = components['schemas']['ScopeView'];

const TIER_COLOURS: Record<string, string> = {
  low: 'green',
  medium: 'yellow',
  high: 'red',
};

/** The scope catalogue (`GET /v1/scopes`): what each scope lets an app see, in the API's words. */
export function useScopes(): Scope[] | undefined {
  const [scopes, setScopes] = useState<Scope[]>();
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/v1/scopes'))
      .then((r) => live && setScopes(r.data))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return scopes;
}

/** An organisation's apps (`/organisations/:orgId/apps`) and the form to register one. */
export function Apps() {
  return (
    <RequireAccount kind="developer">
      <AppsPage />
    </RequireAccount>
  );
}

function AppsPage() {
  const { orgId = '' } = useParams();
  const path = { params: { path: { orgId } } };
  const { data, error, reload } = usePolling(
    () =>
      Promise.all([
        unwrap(api.GET('/v1/organisations/{orgId}', path)),
        unwrap(api.GET('/v1/organisations/{orgId}/apps', path)),
      ]),
    { intervalMs: 10_000 },
  );
  const [created, setCreated] = useState<CreatedApp>();

  if (!data) {
    return <Page title="Apps">{error ? <ProblemAlert error={error} /> : <Loading />}</Page>;
  }
  const [organisation, apps] = data;
  return (
    <Page
      title={`Apps of ${organisation.legalName}`}
      lead="Each app gets sandbox credentials at once, to try against synthetic data. Production access comes after the bank reviews the app."
      size="lg"
    >
      <Anchor component={Link} to={`/organisations/${orgId}`} size="sm">
        Back to {organisation.legalName}
      </Anchor>
      {created && (
        <Paper withBorder p="lg" radius="md">
          <Stack gap="sm">
            <Title order={2} size="h3">
              {created.name} is registered
            </Title>
            <Text>
              Sandbox client id: <code>{created.clientId}</code>
            </Text>
            <SecretOnce label="client secret" secret={created.clientSecret} />
            <Group>
              <Button component={Link} to={`/organisations/${orgId}/apps/${created.id}`}>
                Open {created.name}
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      <Stack gap="sm">
        <Title order={2} size="h3">
          Your apps
        </Title>
        {apps.data.length === 0 && <Text>No apps yet. Register your first below.</Text>}
        {apps.data.map((a) => (
          <Card key={a.id} withBorder>
            <Group justify="space-between">
              <div>
                <Anchor component={Link} to={`/organisations/${orgId}/apps/${a.id}`} fw={600}>
                  {a.name}
                </Anchor>
                <Text size="sm" c="dimmed">
                  {a.description}
                </Text>
              </div>
              <Badge variant="light" color={a.productionClientId ? 'green' : 'gray'}>
                {a.productionClientId ? 'In production' : 'Sandbox'}
              </Badge>
            </Group>
          </Card>
        ))}
      </Stack>
      {organisation.myRole !== 'member' && (
        <CreateAppForm
          orgId={orgId}
          onCreated={async (app) => {
            setCreated(app);
            await reload();
          }}
        />
      )}
    </Page>
  );
}

function CreateAppForm({ orgId, onCreated }: { orgId: string; onCreated: (app: CreatedApp) => Promise<void> }) {
  const scopes = useScopes();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [redirectUris, setRedirectUris] = useState('');
  const [websiteUrl, setWebsiteUrl] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fieldError = (field: string) =>
    error instanceof ApiProblem
      ? (error.fieldMessage(field) ?? error.errors.find((e) => e.field.startsWith(`${field}.`))?.message)
      : undefined;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const app = await unwrap(
        api.POST('/v1/organisations/{orgId}/apps', {
          params: {
            path: { orgId },
            header: { 'idempotency-key': crypto.randomUUID() },
          },
          body: {
            name,
            description,
            redirectUris: redirectUris
              .split('\n')
              .map((s) => s.trim())
              .filter(Boolean),
            scopes: chosen as components['schemas']['CreateAppDto']['scopes'],
            ...(websiteUrl ? { websiteUrl } : {}),
          },
        }),
      );
      setName('');
      setDescription('');
      setRedirectUris('');
      setWebsiteUrl('');
      setChosen([]);
      await onCreated(app);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder p="lg" radius="md">
      <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="register-app">
        <Stack gap="sm">
          <Title order={2} size="h3" id="register-app">
            Register an app
          </Title>
          <ProblemAlert error={error} title="The app was not registered" />
          <TextInput
            label="Name"
            description="Customers see it when they consent."
            required
            value={name}
            error={fieldError('name')}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Textarea
            label="Description"
            description="What the app does for customers, in a sentence or two."
            required
            autosize
            minRows={2}
            value={description}
            error={fieldError('description')}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <Textarea
            label="Redirect URIs"
            description="One per line. https only (http://localhost is fine in the sandbox); no wildcards, no #fragments."
            required
            autosize
            minRows={2}
            value={redirectUris}
            error={fieldError('redirectUris')}
            onChange={(e) => setRedirectUris(e.currentTarget.value)}
          />
          <TextInput
            label="Website (optional)"
            type="url"
            placeholder="https://"
            value={websiteUrl}
            error={fieldError('websiteUrl')}
            onChange={(e) => setWebsiteUrl(e.currentTarget.value)}
          />
          <Checkbox.Group
            label="Scopes"
            description="Ask only for what your feature needs today. Higher tiers need more before production."
            value={chosen}
            onChange={setChosen}
            error={fieldError('scopes')}
          >
            <Stack gap="xs" mt="xs">
              {scopes === undefined && <Loading label="Loading scopes" />}
              {scopes?.map((s) => (
                <Checkbox
                  key={s.name}
                  value={s.name}
                  label={
                    <span>
                      <strong>{s.title}</strong> (<code>{s.name}</code>){' '}
                      <Badge size="xs" variant="light" color={TIER_COLOURS[s.tier]}>
                        {s.tier} risk
                      </Badge>
                    </span>
                  }
                  description={s.description}
                />
              ))}
            </Stack>
          </Checkbox.Group>
          <Group>
            <Button type="submit" loading={busy}>
              Register app
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
