import { Alert, Anchor, Button, Paper, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import { Page, ProblemAlert } from '../../components/Page';
import { DevMailboxHint } from '../DevMailboxHint';

/**
 * `/reset-password`: ask for a reset link by email; `/reset-password?token=…` (the link the email
 * carries): choose a new password, which signs the account out everywhere.
 */
export function ResetPassword() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <ChooseNewPassword token={token} /> : <RequestReset />;
}

function RequestReset() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/v1/auth/password-reset/request', { body: { email } }));
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Reset your password" lead="We will email you a link to choose a new one." size="xs">
      {sent ? (
        <>
          <Alert color="green" title="Check your email" role="status">
            If an account uses {email}, a link is on its way. It works for one hour and only once.
          </Alert>
          <DevMailboxHint />
        </>
      ) : (
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack>
              <ProblemAlert error={error instanceof ApiProblem && error.errors.length ? undefined : error} />
              <TextInput
                label="Email"
                type="email"
                autoComplete="email"
                required
                value={email}
                error={error instanceof ApiProblem ? error.fieldMessage('email') : undefined}
                onChange={(e) => setEmail(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                Email me a link
              </Button>
            </Stack>
          </form>
        </Paper>
      )}
      <Anchor component={Link} to="/signin" size="sm">
        Back to sign in
      </Anchor>
    </Page>
  );
}

function ChooseNewPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.POST('/v1/auth/password-reset/confirm', {
          body: { token, password },
        }),
      );
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title="Choose a new password" size="xs">
      {done ? (
        <Alert color="green" title="Password changed" role="status">
          Your password is changed and every other session is signed out.{' '}
          <Anchor component={Link} to="/signin">
            Sign in
          </Anchor>{' '}
          with the new one.
        </Alert>
      ) : (
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack>
              <ProblemAlert
                error={error instanceof ApiProblem && error.fieldMessage('password') ? undefined : error}
                title="The password was not changed"
              />
              <PasswordInput
                label="New password"
                description="At least 15 characters. A sentence you remember works well."
                autoComplete="new-password"
                required
                value={password}
                error={error instanceof ApiProblem ? error.fieldMessage('password') : undefined}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                Change password
              </Button>
            </Stack>
          </form>
        </Paper>
      )}
    </Page>
  );
}
