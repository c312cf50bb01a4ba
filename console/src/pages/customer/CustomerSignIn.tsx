import { Alert, Button, Paper, Radio, Stack, Text } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Loading, safeNext } from '../../components/RequireSession';
import { Page, ProblemAlert } from '../../components/Page';
import { useSession } from '../../session/session';

type SandboxCustomer = components['schemas']['SandboxCustomerView'];

/**
 * Sandbox customer sign-in (outside production only): pick one of the synthetic customers of
 * `GET /dev/customers`, get a token for them from `POST /dev/customer-token`, and hand it to
 * `POST /v1/customer/session`, which keeps it in an HttpOnly cookie. Then back to `next` (the consent
 * screen, a consent's page) or the dashboard. In production the bank's own sign-in replaces this page.
 */
export function CustomerSignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { refresh } = useSession();
  const [customers, setCustomers] = useState<SandboxCustomer[] | null | undefined>(undefined);
  const [chosen, setChosen] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const next = safeNext(params.get('next'), '/customer');

  useEffect(() => {
    unwrap(api.GET('/dev/customers'))
      .then((list) => {
        setCustomers(list.data);
        setChosen((c) => c || list.data[0]?.id || '');
      })
      .catch((e: unknown) => {
        if (e instanceof ApiProblem && e.status === 404) setCustomers(null);
        else setError(e);
      });
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      const minted = await unwrap(api.POST('/dev/customer-token', { body: { customerId: chosen } }));
      await unwrap(api.POST('/v1/customer/session', { body: { token: minted.accessToken } }));
      await refresh();
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page
      title="Sign in to your bank"
      lead="You are in the sandbox: pick one of the made-up customers below to act as them. Their accounts and transactions are generated test data, not real people."
      size="sm"
    >
      <ProblemAlert error={error} title="Could not sign in" />
      {customers === undefined && !error && <Loading label="Loading sandbox customers" />}
      {customers === null && (
        <Alert color="blue" title="Sandbox sign-in is not available here">
          This Gatehouse runs in production, where customers sign in through their bank. Open the link from your bank's
          app or website instead.
        </Alert>
      )}
      {customers && customers.length === 0 && (
        <Alert color="blue" title="No sandbox customers yet">
          Gatehouse creates them when it starts (see SANDBOX_CUSTOMERS in the README). Restart it, then reload this
          page.
        </Alert>
      )}
      {customers && customers.length > 0 && (
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={(e) => void submit(e)}>
            <Stack>
              <Radio.Group
                label="Sandbox customer"
                description="Each has a few accounts with months of generated transactions."
                value={chosen}
                onChange={setChosen}
                required
              >
                <Stack gap="xs" mt="xs">
                  {customers.map((c) => (
                    <Radio
                      key={c.id}
                      value={c.id}
                      label={c.name}
                      description={`${c.email} · ${c.accounts} account${c.accounts === 1 ? '' : 's'}`}
                    />
                  ))}
                </Stack>
              </Radio.Group>
              <Button type="submit" loading={busy} disabled={!chosen}>
                Sign in as this customer
              </Button>
              <Text size="sm" c="dimmed">
                After signing in you go back to {next === '/customer' ? 'your connected apps' : 'where you were'}.
              </Text>
            </Stack>
          </form>
        </Paper>
      )}
    </Page>
  );
}
