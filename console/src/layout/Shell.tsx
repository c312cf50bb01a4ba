import { Anchor, AppShell, Button, Group, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useSession } from '../session/session';

/**
 * The frame of every page: a skip link, the header with who is signed in, and the main landmark.
 * Focus moves to the main heading's container on navigation so screen reader users hear the new page.
 */
export function Shell() {
  const { me, customer, signOut, signOutCustomer } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <AppShell header={{ height: 60 }} padding="md">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Anchor component={Link} to="/" fw={700} size="lg" c="dark" underline="never">
              Gatehouse
            </Anchor>
            <nav aria-label="Main">
              <Group gap="md">
                {me?.kind === 'developer' && (
                  <Anchor component={Link} to="/organisations">
                    Organisations
                  </Anchor>
                )}
                {me?.kind === 'staff' && (
                  <Anchor component={Link} to="/review">
                    Review queue
                  </Anchor>
                )}
                {customer && (
                  <Anchor component={Link} to="/customer">
                    My connected apps
                  </Anchor>
                )}
              </Group>
            </nav>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {me && (
              <>
                <Text size="sm" c="dimmed" visibleFrom="sm">
                  {me.name}
                  <VisuallyHidden> is signed in</VisuallyHidden>
                </Text>
                <Button variant="default" size="xs" onClick={() => void signOut()}>
                  Sign out
                </Button>
              </>
            )}
            {customer && (
              <Button variant="default" size="xs" onClick={() => void signOutCustomer()}>
                Sign out of the bank
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main" ref={main} tabIndex={-1} style={{ outline: 'none' }}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
