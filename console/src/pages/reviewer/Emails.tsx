import { Alert, Button, Table, Text, VisuallyHidden } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { when, words } from './format';
import { StaffFrame } from './StaffFrame';

type Email = components['schemas']['AdminEmailView'];

/** Admins: emails that failed every attempt (dead letters), each with a retry. */
export function Emails() {
  return (
    <StaffFrame roles={['admin']}>
      <EmailsPage />
    </StaffFrame>
  );
}

function EmailsPage() {
  const [emails, setEmails] = useState<Email[]>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();

  const load = useCallback(async () => {
    try {
      const page = await unwrap(
        api.GET('/v1/admin/emails', {
          params: { query: { status: 'dead', limit: 200 } },
        }),
      );
      setEmails(page.data);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function retry(email: Email) {
    setError(undefined);
    try {
      await unwrap(
        api.POST('/v1/admin/emails/{id}/retry', {
          params: { path: { id: email.id } },
        }),
      );
      setDone(`The ${words(email.template)} email to ${email.recipient} is queued again.`);
      await load();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Page
      title="Undelivered emails"
      lead="Emails the mail server refused after every retry. Fix the cause (the last error says what it was), then send them again."
      size="xl"
    >
      <div role="status" aria-live="polite">
        {done && <Alert color="green" title={done} />}
      </div>
      <ProblemAlert error={error} />
      {emails && emails.length === 0 ? (
        <Text c="dimmed">Every email was delivered. Nothing to do.</Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Email</Table.Th>
                <Table.Th scope="col">To</Table.Th>
                <Table.Th scope="col">Written</Table.Th>
                <Table.Th scope="col">Attempts</Table.Th>
                <Table.Th scope="col">Last error</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>Action</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(emails ?? []).map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{words(e.template)}</Table.Td>
                  <Table.Td>{e.recipient}</Table.Td>
                  <Table.Td>{when(e.createdAt)}</Table.Td>
                  <Table.Td>{e.attempts}</Table.Td>
                  <Table.Td>{e.lastError ?? '—'}</Table.Td>
                  <Table.Td>
                    <Button size="xs" onClick={() => void retry(e)} aria-label={`Send again to ${e.recipient}`}>
                      Send again
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Page>
  );
}
