import { Anchor, Button, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate } from 'react-router';
import { Page } from '../components/Page';
import { Loading } from '../components/RequireSession';
import { homeOf, useSession } from '../session/session';
import { useDevMailbox } from './DevMailboxHint';

/**
 * The console's front page. Signed-in people go straight to their own area; everyone else sees the
 * three ways in, and on a development install how to create the first staff account.
 */
export function Home() {
  const { me, customer } = useSession();
  const mailbox = useDevMailbox();
  if (me === undefined || customer === undefined) return <Loading />;
  if (me) return <Navigate to={homeOf(me)} replace />;
  if (customer) return <Navigate to="/customer" replace />;

  return (
    <Page
      title="Welcome to Gatehouse"
      lead="The front door of the bank's API: developers prove who they are and register apps, reviewers decide, customers stay in control of what they share."
      size="lg"
    >
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <Title order={2} size="h3">
              Developers
            </Title>
            <Text>Sign up, verify your organisation, register apps and request production access.</Text>
            <Group mt="auto">
              <Button component={Link} to="/signup">
                Create an account
              </Button>
              <Button component={Link} to="/signin" variant="default">
                Sign in
              </Button>
            </Group>
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <Title order={2} size="h3">
              Bank staff
            </Title>
            <Text>Work the review queue, decide cases and keep the audit trail.</Text>
            <Group mt="auto">
              <Button component={Link} to="/signin" variant="default">
                Staff sign in
              </Button>
            </Group>
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <Title order={2} size="h3">
              Bank customers
            </Title>
            <Text>See which apps can read your data, what they read, and take access back.</Text>
            <Group mt="auto">
              <Button component={Link} to="/customer/signin" variant="default">
                Sandbox customer sign in
              </Button>
            </Group>
          </Stack>
        </Card>
      </SimpleGrid>
      <Card withBorder padding="lg">
        <Title order={2} size="h3">
          First time running Gatehouse?
        </Title>
        <Text mt="xs">Create the first staff account (an admin) from a terminal in the project folder:</Text>
        <Code block mt="xs">
          npm run staff:create -- --email you@bank.example --name &quot;Your Name&quot; --role admin
        </Code>
        <Text mt="xs" size="sm">
          It asks for a password (or reads <Code>STAFF_PASSWORD</Code>). At first sign-in you enrol an authenticator
          app. The API reference is at <Anchor href="/docs">/docs</Anchor>.
          {mailbox && (
            <>
              {' '}
              Emails this Gatehouse writes are in the{' '}
              <Anchor component={Link} to="/mailbox">
                development mailbox
              </Anchor>
              .
            </>
          )}
        </Text>
      </Card>
    </Page>
  );
}
