import { Controller, Get, HttpCode, Module, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientIdEnvironment } from '../../src/apps/credentials/client-secret';
import { Public } from '../../src/auth/access.decorator';
import { bearerToken } from '../../src/oauth/bearer-token';
import { checkCertificateBinding, presentedCertificate } from '../../src/oauth/client-certificate';
import { OAuthModule } from '../../src/oauth/oauth.module';
import { OAuthService } from '../../src/oauth/oauth.service';

/**
 * A test-only resource that does what the sandbox data API will do with a token: find it, then
 * check its binding with the certificate the request came with (TLS peer or trusted proxy header).
 * Answers 200 `{ok: true}` or 401 with the refusal.
 */
@Controller('test/bound-resource')
class BoundResourceController {
  constructor(private readonly oauth: OAuthService) {}

  @Get()
  @Public()
  @HttpCode(200)
  async read(@Req() req: Request): Promise<Record<string, unknown>> {
    const bearer = bearerToken({ authorization: req.headers.authorization, query: req.query });
    if (!bearer.ok) return { ok: false, error: bearer.error };
    const token = await this.oauth.provider.AccessToken.find(bearer.token);
    if (!token) return { ok: false, error: 'invalid_token' };
    const environment = clientIdEnvironment(token.clientId ?? '') === 'production' ? 'production' : 'sandbox';
    const cnf = token['x5t#S256'] ? { 'x5t#S256': token['x5t#S256'] as string } : undefined;
    return checkCertificateBinding(cnf, presentedCertificate(req), environment);
  }
}

@Module({ imports: [OAuthModule], controllers: [BoundResourceController] })
export class BoundResourceModule {}
