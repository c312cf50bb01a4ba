import type { RouteObject } from 'react-router';

/**
 * Bank customers' pages and the OAuth consent screen, loaded on demand. Paths match the links in
 * customers' emails (/customer/consents/:consentId) and the OAuth server's interaction URL
 * (/consent/:uid, src/oauth/oauth-configuration.ts).
 */
export const customerRoutes: RouteObject[] = [
  { path: 'customer', lazy: async () => ({ Component: (await import('./ConnectedApps')).ConnectedApps }) },
  { path: 'customer/signin', lazy: async () => ({ Component: (await import('./CustomerSignIn')).CustomerSignIn }) },
  {
    path: 'customer/consents/:consentId',
    lazy: async () => ({ Component: (await import('./ConsentPage')).ConsentPage }),
  },
  { path: 'consent/:uid', lazy: async () => ({ Component: (await import('./ConsentScreen')).ConsentScreen }) },
];
