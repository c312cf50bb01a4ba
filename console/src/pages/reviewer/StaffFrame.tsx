import { Anchor, Group } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { RequireAccount } from '../../components/RequireSession';
import { useSession, type Me } from '../../session/session';

type StaffRole = NonNullable<Me['staffRole']>;

/** Whether a staff member may use a page limited to `roles` (any staff role when empty). */
export function hasRole(me: Me | null | undefined, roles: StaffRole[]): boolean {
  return !!me && me.kind === 'staff' && !!me.staffRole && (roles.length === 0 || roles.includes(me.staffRole));
}

/** The staff pages each role reaches (SPEC "People and roles"). */
const LINKS: {
  to: string;
  label: string;
  roles: StaffRole[];
  external?: boolean;
}[] = [
  { to: '/review', label: 'Queue', roles: [] },
  {
    to: '/review/audit',
    label: 'Audit log',
    roles: ['senior_reviewer', 'admin'],
  },
  { to: '/review/emails', label: 'Undelivered emails', roles: ['admin'] },
  { to: '/review/staff', label: 'Staff accounts', roles: ['admin'] },
  {
    to: '/admin/queues',
    label: 'Queues health',
    roles: ['admin'],
    external: true,
  },
];

/** The staff pages' own navigation, by role. */
function StaffNav({ me }: { me: Me }) {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Staff">
      <Group gap="md" px="md" pt="xs">
        {LINKS.filter((l) => hasRole(me, l.roles)).map((l) =>
          l.external ? (
            // Bull Board is served by the server, outside the console's router.
            <Anchor key={l.to} href={l.to}>
              {l.label}
            </Anchor>
          ) : (
            <Anchor
              key={l.to}
              component={Link}
              to={l.to}
              aria-current={pathname === l.to ? 'page' : undefined}
              fw={pathname === l.to ? 700 : undefined}
            >
              {l.label}
            </Anchor>
          ),
        )}
      </Group>
    </nav>
  );
}

/**
 * Frame of every staff page: signed-in staff only; staff without two-factor authentication go to
 * enrolment first (the API refuses them everything else); pages limited to `roles` say so to others.
 */
export function StaffFrame({ roles = [], children }: { roles?: StaffRole[]; children: ReactNode }) {
  return (
    <RequireAccount kind="staff">
      <StaffGate roles={roles}>{children}</StaffGate>
    </RequireAccount>
  );
}

function StaffGate({ roles, children }: { roles: StaffRole[]; children: ReactNode }) {
  const { me } = useSession();
  if (!me) return null;
  if (!me.mfaEnrolled) return <Navigate to="/review/enrol" replace />;
  return (
    <>
      <StaffNav me={me} />
      {hasRole(me, roles) ? children : <Navigate to="/review" replace state={{ notAllowed: true }} />}
    </>
  );
}
