import { Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Page, ProblemAlert } from '../components/Page';
import { safeNext } from '../components/RequireSession';
import { homeOf, useSession } from '../session/session';

/**
 * Sign-in for developers and staff. The session lives in an HttpOnly cookie (`session: 'cookie'`),
 * so the access token never reaches this page's JavaScript. Staff with two-factor authentication
 * add the six-digit code from their authenticator app.
 */
export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { email, password, session: 'cookie' as const, ...(totp ? { totp } : {}) };
      await unwrap(api.POST('/v1/auth/login', { body }));
      await refresh();
      const me = await unwrap(api.GET('/v1/me'));
      navigate(safeNext(params.get('next'), homeOf(me)), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Sign in" lead="For developers of third-party apps and for the bank's reviewers." size="xs">
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <ProblemAlert error={error} title="Could not sign in" />
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <TextInput
              label="Authenticator code"
              description="Staff with two-factor authentication: the six digits your authenticator app shows now."
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={totp}
              onChange={(e) => setTotp(e.currentTarget.value.replace(/\D/g, ''))}
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
      <Text size="sm">
        New here?{' '}
        <Anchor component={Link} to="/signup">
          Create a developer account
        </Anchor>
        . Forgot your password?{' '}
        <Anchor component={Link} to="/reset-password">
          Reset it
        </Anchor>
        .
      </Text>
    </Page>
  );
}
