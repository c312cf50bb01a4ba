import { Button, Code, Group, Image, List, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import QRCode from 'qrcode';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import { Page, ProblemAlert } from '../../components/Page';
import { RequireAccount } from '../../components/RequireSession';
import { useSession } from '../../session/session';

/** The secret in groups of four, easier to type into an authenticator app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * Two-factor enrolment for staff (SPEC "People and roles": TOTP is mandatory, staff without it may
 * only enrol). Asks the server for a new secret, shows it as a QR code of the otpauth:// URI (an SVG
 * data: URL, drawn here: the secret never leaves the page) and as text, then confirms with a code.
 */
export function Enrol() {
  return (
    <RequireAccount kind="staff">
      <EnrolSteps />
    </RequireAccount>
  );
}

function EnrolSteps() {
  const { me, refresh } = useSession();
  const navigate = useNavigate();
  const [setup, setSetup] = useState<{ secret: string; qr: string }>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  if (me?.mfaEnrolled && !busy) return <Navigate to="/review" replace />;

  async function start() {
    setBusy(true);
    setError(undefined);
    try {
      const { otpauthUrl, secret } = await unwrap(api.POST('/v1/auth/mfa/totp/setup'));
      const svg = await QRCode.toString(otpauthUrl, {
        type: 'svg',
        margin: 2,
        errorCorrectionLevel: 'M',
      });
      setSetup({
        secret,
        qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
      });
      setCode('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function confirm(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/v1/auth/mfa/totp/confirm', { body: { code } }));
      await refresh();
      navigate('/review', { replace: true, state: { enrolled: true } });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const codeError = error instanceof ApiProblem ? error.fieldMessage('code') : undefined;

  return (
    <Page
      title="Set up two-factor authentication"
      lead="Reviewers sign in with a password and a six-digit code from an authenticator app on their phone. Set it up once, now; the review queue opens afterwards."
      size="sm"
    >
      {!setup ? (
        <Paper withBorder p="lg" radius="md">
          <Stack>
            <ProblemAlert error={error} />
            <Text>
              You need an authenticator app such as Google Authenticator, Microsoft Authenticator, 1Password or FreeOTP.
              Starting again later gives a new code and cancels this one.
            </Text>
            <Group>
              <Button onClick={() => void start()} loading={busy}>
                Show my set-up code
              </Button>
            </Group>
          </Stack>
        </Paper>
      ) : (
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={(e) => void confirm(e)} noValidate>
            <Stack>
              <Title order={2} size="h4">
                1. Add Gatehouse to your authenticator app
              </Title>
              <List size="sm" spacing={4}>
                <List.Item>Scan this QR code with the app, or</List.Item>
                <List.Item>
                  choose “enter a setup key” in the app and type the key below (time-based, 6 digits).
                </List.Item>
              </List>
              <Image
                src={setup.qr}
                alt="QR code for your authenticator app; the same setup key is written below it"
                w={200}
                h={200}
              />
              <Text size="sm">
                Setup key:{' '}
                <Code data-testid="totp-secret" data-secret={setup.secret} fz="md">
                  {grouped(setup.secret)}
                </Code>
              </Text>
              <Text size="sm" c="dimmed">
                Keep this key private: anyone who has it can make your codes.
              </Text>
              <Title order={2} size="h4">
                2. Type the code the app shows
              </Title>
              <ProblemAlert error={codeError ? undefined : error} />
              <TextInput
                label="Six-digit code"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                maxLength={6}
                value={code}
                error={codeError && (error instanceof ApiProblem ? error.detail : codeError)}
                onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
              />
              <Group>
                <Button type="submit" loading={busy} disabled={code.length !== 6}>
                  Turn on two-factor authentication
                </Button>
                <Button variant="subtle" onClick={() => void start()} disabled={busy}>
                  Start again with a new key
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
    </Page>
  );
}
