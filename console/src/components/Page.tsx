import { Alert, Container, Stack, Text, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { problemText } from '../api/problem';

/** A page's frame: its <title>, one h1, an optional lead sentence, then the content. */
export function Page({
  title,
  lead,
  size = 'md',
  actions,
  children,
}: {
  title: string;
  lead?: ReactNode;
  size?: 'xs' | 'sm' | 'md' | 'lg' | 'xl';
  actions?: ReactNode;
  children?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Gatehouse`;
  }, [title]);
  return (
    <Container size={size} py="md">
      <Stack gap="md">
        <div>
          <Title order={1} size="h2">
            {title}
          </Title>
          {lead && (
            <Text c="dimmed" mt={4}>
              {lead}
            </Text>
          )}
        </div>
        {actions}
        {children}
      </Stack>
    </Container>
  );
}

/** An error a page caught, in the server's words (problem+json `detail`), announced to screen readers. */
export function ProblemAlert({ error, title = 'That did not work' }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert">
      {problemText(error)}
    </Alert>
  );
}
