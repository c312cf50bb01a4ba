import type { RouteObject } from 'react-router';

/**
 * Staff pages (reviewers, senior reviewers, admins), loaded on demand. Paths match the links in
 * reviewers' emails: /review, /review/tasks/:taskId.
 */
export const reviewerRoutes: RouteObject[] = [
  {
    path: 'review',
    children: [
      {
        index: true,
        lazy: async () => ({ Component: (await import('./Queue')).Queue }),
      },
      {
        path: 'enrol',
        lazy: async () => ({ Component: (await import('./Enrol')).Enrol }),
      },
      {
        path: 'tasks/:taskId',
        lazy: async () => ({ Component: (await import('./Case')).Case }),
      },
      {
        path: 'audit',
        lazy: async () => ({ Component: (await import('./Audit')).Audit }),
      },
      {
        path: 'emails',
        lazy: async () => ({ Component: (await import('./Emails')).Emails }),
      },
      {
        path: 'staff',
        lazy: async () => ({
          Component: (await import('./StaffAccounts')).StaffAccounts,
        }),
      },
    ],
  },
];
