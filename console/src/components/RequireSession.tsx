import { Center, Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../session/session';

/** Shown while the session check runs. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl">
      <Loader aria-label={label} />
    </Center>
  );
}

/**
 * Renders its children only for a signed-in developer or staff member (of `kind`, when given);
 * others go to the sign-in page, which brings them back here afterwards.
 */
export function RequireAccount({ kind, children }: { kind?: 'developer' | 'staff'; children: ReactNode }) {
  const { me } = useSession();
  const location = useLocation();
  if (me === undefined) return <Loading />;
  if (me === null || (kind && me.kind !== kind)) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  return <>{children}</>;
}

/** Renders its children only for a signed-in customer; others go to the customer sign-in. */
export function RequireCustomer({ children }: { children: ReactNode }) {
  const { customer } = useSession();
  const location = useLocation();
  if (customer === undefined) return <Loading />;
  if (customer === null) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/customer/signin?next=${next}`} replace />;
  }
  return <>{children}</>;
}

/** A `next` parameter that stays inside the console (never another origin). */
export function safeNext(next: string | null, fallback: string): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}
