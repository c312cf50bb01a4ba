import { Alert, Anchor, Loader, Group, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Page, ProblemAlert } from '../components/Page';

/** The page the verification email links to (`/verify-email?token=…`): confirms the address once. */
export function VerifyEmail() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<'working' | 'done' | { error: unknown }>('working');

  useEffect(() => {
    let live = true;
    unwrap(api.POST('/v1/auth/verify-email', { body: { token } }))
      .then(() => live && setState('done'))
      .catch((error: unknown) => live && setState({ error }));
    return () => {
      live = false;
    };
  }, [token]);

  return (
    <Page title="Confirm your email" size="xs">
      {state === 'working' && (
        <Group>
          <Loader size="sm" aria-label="Confirming" />
          <Text>Confirming your address…</Text>
        </Group>
      )}
      {state === 'done' && (
        <Alert color="green" title="Email confirmed" role="status">
          Your address is confirmed.{' '}
          <Anchor component={Link} to="/signin?next=/organisations" inherit>
            Sign in
          </Anchor>{' '}
          to set up your organisation.
        </Alert>
      )}
      {typeof state === 'object' && <ProblemAlert error={state.error} title="This link did not work" />}
    </Page>
  );
}
