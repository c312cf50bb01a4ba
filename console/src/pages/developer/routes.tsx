import type { RouteObject } from 'react-router';

/**
 * The developer's pages, loaded on demand. Paths match the links Gatehouse's emails carry
 * (src/notifications/templates/catalogue.ts): /organisations/:orgId, …/verification, …/apps/:appId,
 * /reset-password?token=, /invitations/accept?token=; and /mailbox for the development mailbox.
 */
export const developerRoutes: RouteObject[] = [
  {
    path: 'organisations',
    lazy: async () => ({
      Component: (await import('./Organisations')).Organisations,
    }),
  },
  {
    path: 'organisations/new',
    lazy: async () => ({
      Component: (await import('./CreateOrganisation')).CreateOrganisation,
    }),
  },
  {
    path: 'organisations/:orgId',
    lazy: async () => ({
      Component: (await import('./Onboarding')).Onboarding,
    }),
  },
  {
    path: 'organisations/:orgId/verification',
    lazy: async () => ({
      Component: (await import('./Onboarding')).Onboarding,
    }),
  },
  {
    path: 'organisations/:orgId/apps',
    lazy: async () => ({ Component: (await import('./Apps')).Apps }),
  },
  {
    path: 'organisations/:orgId/apps/:appId',
    lazy: async () => ({ Component: (await import('./AppPage')).AppPage }),
  },
  {
    path: 'reset-password',
    lazy: async () => ({
      Component: (await import('./ResetPassword')).ResetPassword,
    }),
  },
  {
    path: 'invitations/accept',
    lazy: async () => ({
      Component: (await import('./AcceptInvitation')).AcceptInvitation,
    }),
  },
  {
    path: 'mailbox',
    lazy: async () => ({ Component: (await import('./Mailbox')).Mailbox }),
  },
  {
    path: 'mailbox/:id',
    lazy: async () => ({
      Component: (await import('./Mailbox')).MailboxMessagePage,
    }),
  },
];
