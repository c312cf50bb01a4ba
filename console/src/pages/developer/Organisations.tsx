import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { Page, ProblemAlert } from '../../components/Page';
import { Loading, RequireAccount } from '../../components/RequireSession';
import { useSession } from '../../session/session';
import { usePolling } from './usePolling';
import { STATUS_WORDS } from './words';

/** The developer's organisations, each with where its verification stands, and the way to add one. */
export function Organisations() {
  return (
    <RequireAccount kind="developer">
      <OrganisationList />
    </RequireAccount>
  );
}

function OrganisationList() {
  const { me } = useSession();
  const { data, error } = usePolling(() => unwrap(api.GET('/v1/organisations')).then((r) => r.data), {
    intervalMs: 10_000,
  });
  return (
    <Page
      title="Your organisations"
      lead="The bank verifies who is behind every app (know your business) before it reaches real customers."
      actions={
        <Group>
          <Button component={Link} to="/organisations/new">
            Create an organisation
          </Button>
        </Group>
      }
    >
      {me && !me.emailVerified && (
        <ProblemAlert
          title="Confirm your email first"
          error={
            new Error('Open the link we emailed you to confirm your address; then you can create an organisation.')
          }
        />
      )}
      <ProblemAlert error={error} />
      {!data && !error && <Loading />}
      {data?.length === 0 && (
        <Text>
          You do not belong to an organisation yet. Create one for the company that builds your app, or ask a colleague
          to invite you to theirs.
        </Text>
      )}
      <Stack gap="sm">
        {data?.map((o) => {
          const status = STATUS_WORDS[o.verification.status];
          return (
            <Card key={o.id} withBorder>
              <Group justify="space-between">
                <div>
                  <Anchor component={Link} to={`/organisations/${o.id}`} fw={600}>
                    {o.legalName}
                  </Anchor>
                  <Text size="sm" c="dimmed">
                    Company number {o.registrationNumber} · you are {o.myRole ?? 'a member'}
                  </Text>
                </div>
                <Badge color={status?.color ?? 'gray'} variant="light">
                  {status?.label ?? o.verification.status}
                </Badge>
              </Group>
            </Card>
          );
        })}
      </Stack>
    </Page>
  );
}
