import { Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import { ProblemAlert } from '../../components/Page';

/**
 * A revoke button and its confirmation: one click opens the question, the second revokes, so
 * revoking anything takes two clicks from wherever the button is (the dashboard, a consent's page).
 * `onConfirm` does the revocation; an error stays in the dialog in the server's words.
 */
export function RevokeButton({
  label,
  accessibleLabel,
  title,
  children,
  confirmLabel,
  onConfirm,
  ...button
}: {
  label: string;
  /** The button's name for screen readers when `label` alone is ambiguous ("Revoke" beside several consents). */
  accessibleLabel?: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
} & Omit<ButtonProps, 'children'>) {
  const [opened, { open, close }] = useDisclosure(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button color="red" variant="light" onClick={open} aria-label={accessibleLabel} {...button}>
        {label}
      </Button>
      {/* lockScroll off: the scroll lock injects a <style> without the CSP nonce (react-remove-scroll-bar). */}
      <Modal
        opened={opened}
        onClose={close}
        title={title}
        centered
        lockScroll={false}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          <Text>{children}</Text>
          <ProblemAlert error={error} title="Could not revoke" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red.9" loading={busy} onClick={() => void confirm()}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
