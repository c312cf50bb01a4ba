import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Loading, RequireCustomer } from '../../components/RequireSession';
import { Page, ProblemAlert } from '../../components/Page';
import { categoryWords, day, listWords, merchantWords, moment, windowWords, type Interaction } from './words';

type DecisionBody = components['schemas']['InteractionDecisionDto'];

/**
 * The OAuth consent screen (`/consent/:uid`, oidc-provider's interaction URL). A customer who is
 * not signed in goes to the customer sign-in and comes back. It shows who is asking (the app, its
 * organisation and whether the bank verified it), what each scope means in the catalogue's words,
 * the window, restrictions and expiry; the customer picks accounts, may drop scopes or bring the
 * end forward, then approves or denies, and the browser follows the `redirectTo` the API answers
 * (the authorization server's resume URL, which ends at the app).
 */
export function ConsentScreen() {
  return (
    <RequireCustomer>
      <ConsentScreenBody />
    </RequireCustomer>
  );
}

function ConsentScreenBody() {
  const { uid = '' } = useParams();
  const [request, setRequest] = useState<Interaction>();
  const [loadError, setLoadError] = useState<unknown>();

  useEffect(() => {
    unwrap(api.GET('/v1/oauth/interactions/{uid}', { params: { path: { uid } } }))
      .then(setRequest)
      .catch(setLoadError);
  }, [uid]);

  if (!request) {
    return (
      <Page title="An app asks to see your bank data" size="sm">
        {loadError instanceof ApiProblem && loadError.status === 404 ? (
          <Alert color="blue" title="This request is no longer open">
            It has expired or has already been answered. Nothing was shared. Go back to the app and start again if you
            still want to connect it.
          </Alert>
        ) : loadError ? (
          <ProblemAlert error={loadError} title="Could not load the request" />
        ) : (
          <Loading label="Loading the request" />
        )}
      </Page>
    );
  }
  return <Decide request={request} />;
}

/** The window the customer chose, when it differs from the request's (both dates, or neither: as asked). */
function windowChoice(request: Interaction, from: string, to: string): Pick<DecisionBody, 'transactionWindow'> {
  const asked = request.transactionWindow;
  if (!from && !to) return {};
  if (asked && asked.from === from && asked.to === to) return {};
  return { transactionWindow: { from, to } };
}

function Decide({ request }: { request: Interaction }) {
  const [accountIds, setAccountIds] = useState<string[]>([]);
  const [scopes, setScopes] = useState<string[]>(request.scopes.map((s) => s.scope));
  const [endsOn, setEndsOn] = useState(request.expiresAt.slice(0, 10));
  const [from, setFrom] = useState(request.transactionWindow?.from ?? '');
  const [to, setTo] = useState(request.transactionWindow?.to ?? '');
  const [busy, setBusy] = useState<'approve' | 'deny'>();
  const [error, setError] = useState<unknown>();
  const [leaving, setLeaving] = useState('');

  const fieldError = (field: string) =>
    error instanceof ApiProblem
      ? error.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message
      : undefined;

  async function decide(decision: 'approve' | 'deny') {
    setError(undefined);
    if (decision === 'approve' && accountIds.length === 0) {
      setError(
        new ApiProblem(422, 'Pick an account', 'Pick at least one account to share, or deny the request.', undefined, [
          { field: 'accountIds', message: 'Pick at least one account to share.' },
        ]),
      );
      return;
    }
    setBusy(decision);
    try {
      const body: DecisionBody =
        decision === 'deny'
          ? { decision }
          : {
              decision,
              accountIds,
              ...(scopes.length !== request.scopes.length ? { scopes: scopes as DecisionBody['scopes'] } : {}),
              ...(endsOn && endsOn !== request.expiresAt.slice(0, 10) ? { expiresAt: `${endsOn}T23:59:59Z` } : {}),
              ...windowChoice(request, from, to),
            };
      const { redirectTo } = await unwrap(
        api.POST('/v1/oauth/interactions/{uid}/decision', { params: { path: { uid: request.uid } }, body }),
      );
      setLeaving(
        decision === 'approve'
          ? `Approved. Taking you back to ${request.app.name}…`
          : `Denied. Taking you back to ${request.app.name}…`,
      );
      window.location.assign(redirectTo);
    } catch (err) {
      setError(err);
      setBusy(undefined);
    }
  }

  const app = request.app;
  return (
    <Page
      title={`${app.name} asks to see your bank data`}
      lead={`Decide before ${moment(request.decideBy)}. Nothing is shared unless you approve.`}
      size="sm"
    >
      <div role="status" aria-live="polite">
        {leaving && <Alert color="green">{leaving}</Alert>}
      </div>
      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="who">
        <Stack gap="xs">
          <Title order={2} size="h3" id="who">
            Who is asking
          </Title>
          <Text>
            <strong>{app.name}</strong>, provided by <strong>{app.organisationName}</strong>.
          </Text>
          <Group gap="xs">
            {app.organisationVerified ? (
              <Badge color="green" variant="light" c="dark.8">
                Organisation verified by your bank
              </Badge>
            ) : (
              <Badge color="orange" variant="light" c="dark.8">
                Organisation not yet verified by your bank
              </Badge>
            )}
            {app.environment === 'sandbox' && (
              <Badge color="grape" variant="light" c="dark.8">
                Sandbox: test data only
              </Badge>
            )}
          </Group>
        </Stack>
      </Paper>

      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="what">
        <Stack gap="sm">
          <Title order={2} size="h3" id="what">
            What it asks to see
          </Title>
          <Checkbox.Group
            label="Data"
            description="Untick anything you do not want to share."
            value={scopes}
            onChange={setScopes}
            error={fieldError('scopes')}
          >
            <Stack gap="sm" mt="xs">
              {request.scopes.map((s) => (
                <Checkbox key={s.scope} value={s.scope} label={s.title} description={s.description} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Table variant="vertical" layout="fixed" withTableBorder>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={170}>Transaction dates</Table.Th>
                <Table.Td>{windowWords(request.transactionWindow)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Merchants</Table.Th>
                <Table.Td>{merchantWords(request.merchants)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Categories</Table.Th>
                <Table.Td>{categoryWords(request.categories)}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Until</Table.Th>
                <Table.Td>{day(request.expiresAt)} at the latest; you can revoke it sooner at any time</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
          <Fieldset
            legend={
              <Text component="span" fw={500} size="sm">
                Only some transaction dates (optional)
              </Text>
            }
            variant="unstyled"
            p={0}
          >
            <Text size="xs" c="dimmed" mb={4}>
              {request.transactionWindow
                ? 'You can move the dates inwards to share fewer transactions.'
                : 'Set both dates to share only the transactions between them.'}
            </Text>
            <Group grow align="flex-start" maw={560}>
              <TextInput
                type="date"
                label="From"
                value={from}
                onChange={(e) => setFrom(e.currentTarget.value)}
                error={!!fieldError('transactionWindow')}
              />
              <TextInput
                type="date"
                label="To"
                value={to}
                onChange={(e) => setTo(e.currentTarget.value)}
                error={fieldError('transactionWindow')}
              />
            </Group>
          </Fieldset>
          <TextInput
            type="date"
            label="End sooner (optional)"
            description={`The app asks until ${day(request.expiresAt)}. Pick an earlier day to end it sooner.`}
            value={endsOn}
            onChange={(e) => setEndsOn(e.currentTarget.value)}
            error={fieldError('expiresAt')}
            maw={280}
          />
        </Stack>
      </Paper>

      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="accounts">
        <Stack gap="sm">
          <Title order={2} size="h3" id="accounts">
            Which accounts
          </Title>
          {request.accounts.length === 0 ? (
            <Text>You have no accounts this app could read, so there is nothing to approve. Deny the request.</Text>
          ) : (
            <Checkbox.Group
              label="Share these accounts"
              description={`${app.name} sees only the accounts you tick.`}
              value={accountIds}
              onChange={(v) => {
                setAccountIds(v);
                setError(undefined);
              }}
              error={fieldError('accountIds')}
              required
            >
              <Stack gap="xs" mt="xs">
                {request.accounts.map((a) => (
                  <Checkbox
                    key={a.id}
                    value={a.id}
                    label={`${a.name} (${a.maskedNumber})`}
                    description={`${a.type.replace(/_/g, ' ')} account in ${a.currency}`}
                  />
                ))}
              </Stack>
            </Checkbox.Group>
          )}
        </Stack>
      </Paper>

      <ProblemAlert error={error} title="Your answer was not recorded" />
      <Text size="sm">
        If you approve, {app.name} can read your{' '}
        {listWords(scopes.map((s) => request.scopes.find((x) => x.scope === s)!.title.toLowerCase()))} from the accounts
        you ticked
        {from && to ? ` (transactions dated ${day(from)} to ${day(to)} only)` : ''} until{' '}
        {day(endsOn || request.expiresAt)}. You can see what it reads, narrow it or revoke it from your connected apps.
      </Text>
      <Group>
        <Button onClick={() => void decide('approve')} loading={busy === 'approve'} disabled={!!busy || !!leaving}>
          Approve
        </Button>
        <Button
          variant="default"
          onClick={() => void decide('deny')}
          loading={busy === 'deny'}
          disabled={!!busy || !!leaving}
        >
          Deny
        </Button>
      </Group>
    </Page>
  );
}
