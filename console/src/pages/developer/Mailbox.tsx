import { Anchor, Badge, Group, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { Fragment, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { Page, ProblemAlert } from '../../components/Page';
import { Loading } from '../../components/RequireSession';
import { usePolling } from './usePolling';

type MailboxMessage = components['schemas']['MailboxMessageView'];

/** `/mailbox`: the emails this development Gatehouse wrote instead of sending, newest first. */
export function Mailbox() {
  const { data, error } = usePolling(() => unwrap(api.GET('/dev/mailbox', { params: { query: { limit: 50 } } })), {
    intervalMs: 3000,
  });
  return (
    <Page
      title="Development mailbox"
      lead="This Gatehouse sends no real email (no SMTP server is configured): here is what it would have sent."
      size="lg"
    >
      <ProblemAlert error={error} title="The mailbox could not be read" />
      {!data && !error && <Loading />}
      {data?.data.length === 0 && <Text>No emails yet. Sign up, and the verification email appears here.</Text>}
      {data && data.data.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Subject</Table.Th>
              <Table.Th>To</Table.Th>
              <Table.Th>Date</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.data.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/mailbox/${encodeURIComponent(m.id)}`}>
                    {m.subject || '(no subject)'}
                  </Anchor>
                </Table.Td>
                <Table.Td>{m.to.join(', ')}</Table.Td>
                <Table.Td>{new Date(m.date).toUTCString()}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Page>
  );
}

const URL_PATTERN = /(https?:\/\/[^\s<>"']+)/g;

/** Plain text with its http(s) URLs as links; everything else stays text (no HTML is interpreted). */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <Text component="pre" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }}>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <Anchor key={i} href={part}>
            {part}
          </Anchor>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </Text>
  );
}

/**
 * `/mailbox/:id`: one email. The text part is shown with its links clickable; the HTML part in a
 * sandboxed iframe (no scripts, no same-origin access; links open in a new tab).
 */
export function MailboxMessagePage() {
  const { id = '' } = useParams();
  const [message, setMessage] = useState<MailboxMessage>();
  const [error, setError] = useState<unknown>();
  const [view, setView] = useState('text');
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/dev/mailbox/{id}', { params: { path: { id } } }))
      .then((m) => live && setMessage(m))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id]);

  return (
    <Page title={message?.subject || 'Email'} size="lg">
      <Anchor component={Link} to="/mailbox" size="sm">
        Back to the mailbox
      </Anchor>
      <ProblemAlert error={error} title="This email could not be read" />
      {!message && !error && <Loading />}
      {message && (
        <Paper withBorder p="lg" radius="md">
          <Stack gap="sm">
            <Group gap="xs">
              <Badge variant="light">To</Badge>
              <Text>{message.to.join(', ')}</Text>
            </Group>
            <Text size="sm" c="dimmed">
              {new Date(message.date).toUTCString()}
            </Text>
            {message.html !== null && (
              <SegmentedControl
                aria-label="Show the email as"
                value={view}
                onChange={setView}
                data={[
                  { value: 'text', label: 'Text' },
                  { value: 'html', label: 'HTML' },
                ]}
              />
            )}
            <Title order={2} size="h4">
              {view === 'html' && message.html !== null ? 'HTML version' : 'Text version'}
            </Title>
            {view === 'html' && message.html !== null ? (
              <iframe
                title="The email as HTML"
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                srcDoc={`<base target="_blank">${message.html}`}
                style={{
                  width: '100%',
                  minHeight: 480,
                  border: '1px solid #ddd',
                }}
              />
            ) : (
              <LinkedText text={message.text} />
            )}
          </Stack>
        </Paper>
      )}
    </Page>
  );
}
