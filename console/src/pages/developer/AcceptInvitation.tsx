import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { Page, ProblemAlert } from '../../components/Page';
import { RequireAccount } from '../../components/RequireSession';
import type { Organisation } from './words';

/**
 * `/invitations/accept?token=…`, the link an invitation email carries. Signing in (or signing up
 * with the invited address) comes first; accepting is a deliberate click, never automatic.
 */
export function AcceptInvitation() {
  return (
    <RequireAccount kind="developer">
      <Accept />
    </RequireAccount>
  );
}

function Accept() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [joined, setJoined] = useState<Organisation>();

  async function accept() {
    setBusy(true);
    setError(undefined);
    try {
      setJoined(
        await unwrap(
          api.POST('/v1/invitations/{token}/accept', {
            params: { path: { token } },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Join an organisation" size="sm">
      {joined ? (
        <Alert color="green" title="You are in" role="status">
          You joined {joined.legalName} as {joined.myRole}.{' '}
          <Anchor component={Link} to={`/organisations/${joined.id}`}>
            Open {joined.legalName}
          </Anchor>
        </Alert>
      ) : (
        <Stack>
          <Text>
            A colleague invited you to their organisation on Gatehouse. The invitation works once, for the address it
            was sent to, within 7 days.
          </Text>
          <ProblemAlert error={error} title="The invitation did not work" />
          <div>
            <Button onClick={() => void accept()} loading={busy} disabled={!token}>
              Accept the invitation
            </Button>
          </div>
        </Stack>
      )}
    </Page>
  );
}
