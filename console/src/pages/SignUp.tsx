import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { Page, ProblemAlert } from '../components/Page';
import { DevMailboxHint } from './DevMailboxHint';

/** Developer sign-up: name, email and a long password; Gatehouse then emails a verification link. */
export function SignUp() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/v1/auth/signup', { body: { name, email, password } }));
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (field: string) => (error instanceof ApiProblem ? error.fieldMessage(field) : undefined);

  if (done) {
    return (
      <Page title="Check your email" size="xs">
        <Alert color="green" title="Almost there" role="status">
          We sent a link to {email}. Open it to confirm your address, then sign in.
        </Alert>
        <DevMailboxHint />
      </Page>
    );
  }

  return (
    <Page
      title="Create a developer account"
      lead="Register apps against the bank's API. You will prove who your organisation is before production access."
      size="xs"
    >
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <ProblemAlert error={error instanceof ApiProblem && error.errors.length > 0 ? undefined : error} />
            <TextInput
              label="Your name"
              autoComplete="name"
              required
              value={name}
              error={fieldError('name')}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <TextInput
              label="Work email"
              type="email"
              autoComplete="email"
              required
              value={email}
              error={fieldError('email')}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              description="At least 15 characters. A sentence you remember works well."
              autoComplete="new-password"
              required
              value={password}
              error={fieldError('password')}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              Create account
            </Button>
          </Stack>
        </form>
      </Paper>
      <Text size="sm">
        Already registered?{' '}
        <Anchor component={Link} to="/signin">
          Sign in
        </Anchor>
      </Text>
    </Page>
  );
}
