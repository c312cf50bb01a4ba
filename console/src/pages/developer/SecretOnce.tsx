import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/**
 * A secret Gatehouse shows once (client secrets, webhook signing secrets): the value, a copy button
 * and the plain warning that it cannot be shown again (Gatehouse keeps only a hash).
 */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone?: () => void }) {
  return (
    <Alert color="yellow" title={`Copy your ${label} now`} role="status">
      <Stack gap="xs">
        <Text fw={600}>You will not see this again.</Text>
        <Text size="sm">
          Gatehouse keeps only a hash of it. Store it in your secrets manager now; if you lose it, issue a new one.
        </Text>
        <Group gap="sm" wrap="nowrap">
          <Code block style={{ flex: 1, wordBreak: 'break-all' }} aria-label={label} data-testid="secret-value">
            {secret}
          </Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button color={copied ? 'green' : 'dark'} onClick={copy} aria-live="polite">
                {copied ? 'Copied' : `Copy ${label}`}
              </Button>
            )}
          </CopyButton>
        </Group>
        {onDone && (
          <Group>
            <Button variant="default" onClick={onDone}>
              I have stored it
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
