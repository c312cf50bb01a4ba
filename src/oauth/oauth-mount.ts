import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { OAuthService } from './oauth.service';

/** RFC 8414 §3: the metadata of issuer `${PUBLIC_URL}/oauth` lives at this path of the host. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server/oauth';

/**
 * Mounts the authorisation server at `/oauth` (discovery at `/oauth/.well-known/openid-configuration`)
 * and serves the same metadata at AUTHORIZATION_SERVER_METADATA_PATH. Must run before the body
 * parsers: oidc-provider reads request bodies itself.
 */
export function mountOAuth(app: NestExpressApplication): void {
  const oauth = app.get(OAuthService);
  const callback = oauth.callback();
  const publicUrl = new URL(oauth.issuer);
  // Every URL the provider writes (discovery, PAR, redirects) is built from the request's scheme and
  // host; they are set here from PUBLIC_URL, so a TLS-terminating proxy needs no configuration and a
  // forged Host or X-Forwarded-* header cannot change them (the provider trusts only these).
  const handler = (req: Request, res: Response) => {
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = publicUrl.host;
    delete req.headers['x-forwarded-for'];
    callback(req, res);
  };
  app.use('/oauth', handler);
  app.use(AUTHORIZATION_SERVER_METADATA_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // oidc-provider finds its mount path from originalUrl minus url; present the request as /oauth's discovery.
    req.originalUrl = '/oauth/.well-known/openid-configuration';
    req.url = '/.well-known/openid-configuration';
    handler(req, res);
  });
}
