import { Alert, Anchor, Badge, Card, Group, List, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { Loading, RequireCustomer } from '../../components/RequireSession';
import { Page, ProblemAlert } from '../../components/Page';
import { RevokeButton } from './Revoke';
import {
  STATUS_COLOUR,
  accountLabel,
  day,
  listWords,
  statusWords,
  windowWords,
  type ConnectedApp,
  type ConsentDetail,
  type ConsentView,
} from './words';

/** Most pages of a list the dashboard follows (200 items each): far beyond one person's apps. */
const MAX_PAGES = 10;

/** Every item of a cursor-paginated list, page after page. */
async function everyPage<T>(
  read: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await read(cursor);
    all.push(...page.data);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return all;
}

interface Dashboard {
  apps: ConnectedApp[];
  /** Consents by app id, newest first. */
  consents: Map<string, ConsentView[]>;
  /** Active consents' details (their receipt's data list and the accounts in words), by consent id. */
  details: Map<string, ConsentDetail>;
}

async function loadDashboard(): Promise<Dashboard> {
  const [apps, consents] = await Promise.all([
    everyPage((cursor) => unwrap(api.GET('/v1/customer/apps', { params: { query: { limit: 200, cursor } } }))),
    everyPage((cursor) => unwrap(api.GET('/v1/customer/consents', { params: { query: { limit: 200, cursor } } }))),
  ]);
  const byApp = new Map<string, ConsentView[]>();
  for (const c of consents) byApp.set(c.appId, [...(byApp.get(c.appId) ?? []), c]);
  const active = consents.filter((c) => c.status === 'active');
  const details = await Promise.all(
    active.map((c) => unwrap(api.GET('/v1/customer/consents/{consentId}', { params: { path: { consentId: c.id } } }))),
  );
  return { apps, consents: byApp, details: new Map(details.map((d) => [d.id, d])) };
}

/**
 * The customer's dashboard: every app that can read their data, what each consent allows in plain
 * words, a link to its receipt and access log, and revocation in two clicks (Revoke, then confirm),
 * one consent at a time or all of an app's at once.
 */
export function ConnectedApps() {
  return (
    <RequireCustomer>
      <Page
        title="Your connected apps"
        lead="Apps you have allowed to read your bank data. You can see what each one read, narrow what it may see, or stop it at any time."
      >
        <DashboardBody />
      </Page>
    </RequireCustomer>
  );
}

function DashboardBody() {
  const [data, setData] = useState<Dashboard>();
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');

  const reload = useCallback(async () => {
    try {
      setData(await loadDashboard());
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (error && !data) return <ProblemAlert error={error} title="Could not load your apps" />;
  if (!data) return <Loading label="Loading your connected apps" />;

  return (
    <Stack gap="lg">
      <div role="status" aria-live="polite">
        {status && <Alert color="green">{status}</Alert>}
      </div>
      <ProblemAlert error={error} />
      {data.apps.length === 0 && (
        <Alert color="blue" title="No apps connected yet">
          When an app (a budgeting tool, a lender, an accounting package) asks to see your bank data, your bank shows
          you a consent screen. Once you approve it, the app appears here, with everything it read.
        </Alert>
      )}
      {data.apps.map((app) => (
        <AppCard
          key={app.appId}
          app={app}
          consents={data.consents.get(app.appId) ?? []}
          details={data.details}
          onRevoked={async (message) => {
            setStatus(message);
            await reload();
          }}
        />
      ))}
    </Stack>
  );
}

function AppCard({
  app,
  consents,
  details,
  onRevoked,
}: {
  app: ConnectedApp;
  consents: ConsentView[];
  details: Map<string, ConsentDetail>;
  onRevoked: (message: string) => Promise<void>;
}) {
  const active = consents.filter((c) => c.status === 'active');
  const ended = consents.filter((c) => c.status !== 'active');
  const headingId = `app-${app.appId}`;
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby={headingId}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <div>
            <Title order={2} size="h3" id={headingId}>
              {app.name}
            </Title>
            <Text size="sm" c="dimmed">
              Provided by {app.organisationName}
            </Text>
          </div>
          {active.length > 0 && (
            <RevokeButton
              label={`Revoke all for ${app.name}`}
              title={`Stop ${app.name} reading your data?`}
              confirmLabel="Revoke all"
              onConfirm={async () => {
                const { revoked } = await unwrap(
                  api.DELETE('/v1/customer/apps/{appId}/consents', { params: { path: { appId: app.appId } } }),
                );
                await onRevoked(
                  `${app.name} can no longer read your data (${revoked} consent${revoked === 1 ? '' : 's'} revoked).`,
                );
              }}
            >
              All {active.length} active consent{active.length === 1 ? '' : 's'} you gave {app.name} end now. The app
              cannot read anything more; what it already read stays in its access log.
            </RevokeButton>
          )}
        </Group>
        <Text size="sm">
          {app.lastUsedAt ? `Last read your data on ${day(app.lastUsedAt)}.` : 'Has not read any of your data yet.'}
        </Text>
        {active.length === 0 && (
          <Text size="sm">No active consent: {app.name} cannot read your data. It would have to ask you again.</Text>
        )}
        {active.map((c) => (
          <ConsentSummary key={c.id} app={app} consent={c} detail={details.get(c.id)} onRevoked={onRevoked} />
        ))}
        {ended.length > 0 && (
          <div>
            <Title order={3} size="h5" mt="xs">
              Ended consents
            </Title>
            <List size="sm" spacing={4} mt={4}>
              {ended.map((c) => (
                <List.Item key={c.id}>
                  <Anchor component={Link} to={`/customer/consents/${c.id}`}>
                    Consent of {day(c.createdAt)}
                  </Anchor>
                  : {statusWords(c)}
                </List.Item>
              ))}
            </List>
          </div>
        )}
      </Stack>
    </Card>
  );
}

function ConsentSummary({
  app,
  consent,
  detail,
  onRevoked,
}: {
  app: ConnectedApp;
  consent: ConsentView;
  detail: ConsentDetail | undefined;
  onRevoked: (message: string) => Promise<void>;
}) {
  const what = detail ? detail.receipt.dataList.map((d) => d.title.toLowerCase()) : consent.scopes;
  const accounts = consent.constraints.accountIds.map((id) => accountLabel(id, detail?.accounts ?? []));
  return (
    <Card withBorder radius="sm" padding="md" bg="gray.0">
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Title order={3} size="h5">
              Consent of {day(consent.createdAt)}
            </Title>
            <Badge color={STATUS_COLOUR[consent.status]} variant="light" c="dark.8">
              {statusWords(consent)}
            </Badge>
          </Group>
          <Group gap="xs">
            <Anchor component={Link} to={`/customer/consents/${consent.id}`} size="sm">
              Details, access log and narrowing
              <VisuallyHidden> for the consent of {day(consent.createdAt)}</VisuallyHidden>
            </Anchor>
            <RevokeButton
              size="xs"
              label="Revoke"
              accessibleLabel={`Revoke the consent of ${day(consent.createdAt)} for ${app.name}`}
              title={`Revoke this consent for ${app.name}?`}
              confirmLabel="Revoke consent"
              onConfirm={async () => {
                await unwrap(
                  api.DELETE('/v1/customer/consents/{consentId}', { params: { path: { consentId: consent.id } } }),
                );
                await onRevoked(`The consent of ${day(consent.createdAt)} for ${app.name} is revoked.`);
              }}
            >
              {app.name} stops being able to read {listWords(what)} from {listWords(accounts)} at once. This cannot be
              undone; the app would have to ask you again.
            </RevokeButton>
          </Group>
        </Group>
        <Text size="sm">
          Can read your {listWords(what)} from {listWords(accounts)}.{' '}
          {windowWords(consent.constraints.transactionWindow)}.
        </Text>
      </Stack>
    </Card>
  );
}
