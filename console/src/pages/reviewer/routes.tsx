import type { RouteObject } from 'react-router';

/**
 * Staff pages (reviewers, senior reviewers, admins), loaded on demand. Paths match the links in
 * reviewers' emails: /review, /review/tasks/:taskId.
 */
export const reviewerRoutes: RouteObject[] = [
  {
    path: 'review',
    lazy: async () => ({ Component: (await import('./Queue')).Queue }),
  },
];
