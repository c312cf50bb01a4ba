import { Alert, Anchor } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';

/** Whether this Gatehouse keeps a development mailbox (outside production, with no SMTP_URL). */
export function useDevMailbox(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let live = true;
    fetch('/dev/mailbox?limit=1', { credentials: 'same-origin' })
      .then((r) => live && setAvailable(r.ok))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return available;
}

/** Points to the development mailbox when there is one, so a fresh sign-up's link is a click away. */
export function DevMailboxHint() {
  if (!useDevMailbox()) return null;
  return (
    <Alert color="blue" title="Development mailbox">
      This Gatehouse sends no real email. Open the{' '}
      <Anchor component={Link} to="/mailbox" inherit>
        development mailbox
      </Anchor>{' '}
      to read what it wrote.
    </Alert>
  );
}
