import type { RouteObject } from 'react-router';

/**
 * The developer's pages, loaded on demand. Paths match the links Gatehouse's emails carry
 * (src/notifications/templates/catalogue.ts): /organisations/:orgId, …/verification, …/apps/:appId.
 */
export const developerRoutes: RouteObject[] = [
  {
    path: 'organisations',
    lazy: async () => ({ Component: (await import('./Organisations')).Organisations }),
  },
];
