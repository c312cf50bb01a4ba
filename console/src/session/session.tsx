import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, csrfHeaders } from '../api/client';
import type { components } from '../api/schema';

/** The signed-in developer or staff member (`GET /v1/me`). */
export type Me = components['schemas']['MeView'];

/** Who is using the console: a developer or staff member, and separately a (sandbox) customer. */
export interface Session {
  /** undefined while the first check runs; null when nobody is signed in. */
  me: Me | null | undefined;
  /** The signed-in customer's id (`sub`), null when none. */
  customer: { sub: string } | null | undefined;
  /** Re-reads both sessions from the server (after sign-in, sign-out, enrolment). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  signOutCustomer(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

async function readMe(): Promise<Me | null> {
  const { data, response } = await api.GET('/v1/me');
  return response.ok && data ? data : null;
}

async function readCustomer(): Promise<{ sub: string } | null> {
  const res = await fetch('/v1/customer/session', { credentials: 'same-origin' });
  if (!res.ok) return null;
  const body = (await res.json()) as { sub?: unknown };
  return typeof body.sub === 'string' ? { sub: body.sub } : null;
}

/**
 * Holds the browser's sessions. Both live in HttpOnly cookies the console cannot read, so the server
 * is asked (`GET /v1/me`, `GET /v1/customer/session`) at start and after every sign-in or sign-out.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [customer, setCustomer] = useState<{ sub: string } | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    const [m, c] = await Promise.all([readMe().catch(() => null), readCustomer().catch(() => null)]);
    setMe(m);
    setCustomer(c);
  }, []);

  const signOut = useCallback(async () => {
    await api.POST('/v1/auth/logout').catch(() => undefined);
    await refresh();
  }, [refresh]);

  const signOutCustomer = useCallback(async () => {
    await fetch('/v1/customer/session', {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: csrfHeaders('/v1/customer/session'),
    }).catch(() => undefined);
    await refresh();
  }, [refresh]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(
    () => ({ me, customer, refresh, signOut, signOutCustomer }),
    [me, customer, refresh, signOut, signOutCustomer],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The console's sessions; only inside SessionProvider. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Where a signed-in person starts: their own area of the console. */
export function homeOf(me: Me): string {
  return me.kind === 'staff' ? '/review' : '/organisations';
}
