import { INestApplication, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { translateBodyParserErrors } from './common/http/request-middleware';
import { securityHeaders } from './common/http/security-headers';
import { consoleBuildDir, webConsole } from './common/http/web-console';
import { createValidationPipe } from './common/http/validation';
import { mountOAuth } from './oauth/oauth-mount';
import { HttpMiddleware, mountDecisionPoint, serveDecisionPointFirst } from './consents/decision/decision-point-mount';
import { clientCertificateReader, trustedProxies } from './oauth/client-certificate';
import { APP_CONFIG } from './config/config.module';
import { rootLoggerOf } from './common/logging/logging';
import { requestContext } from './common/logging/request-logging';
import { AppConfig } from './config/config';
import { JobRegistryCheck } from './queue/job-registry.check';

export const JSON_BODY_LIMIT = '2mb';

/** Everything an HTTP app needs beyond its modules; shared by main.ts and the e2e harness. */
export function configureHttpApp(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  // Request id, request logger and access line. Before the body parsers, so even a request
  // refused while parsing carries its id and is logged.
  const context = requestContext(rootLoggerOf(app));
  app.use(context);
  // The client certificate (mTLS peer, or RFC 9440 Client-Cert from TRUSTED_PROXIES only; the
  // header is removed from every request) is read once, before anything else can look at it.
  const certificates = clientCertificateReader(trustedProxies(app.get<AppConfig>(APP_CONFIG).oauth.trustedProxies));
  app.use(certificates);
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  // ETags on authenticated JSON buy nothing and cost a hash per response.
  app.set('etag', false);
  // An API answers JSON, so its CSP forbids everything; the Swagger UI under /docs gets its own.
  const apiHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
    },
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    originAgentCluster: false,
    xXssProtection: false,
  });
  const docsHeaders = helmet({
    contentSecurityPolicy: {
      directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
    },
  });
  const headers = securityHeaders(apiHeaders, docsHeaders);
  app.use(headers);
  // oidc-provider parses its own bodies, so it comes before Nest's body parsers.
  mountOAuth(app);
  // The decision point reads its own (small) bodies too: the gateway's hot path skips Nest's router.
  mountDecisionPoint(app);
  // The web console: everything outside the API's prefixes, before the body parsers (it reads no bodies).
  app.use(webConsole(consoleBuildDir()));
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: '100kb', extended: false });
  app.use(translateBodyParserErrors);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Gatehouse')
      .setDescription(
        "The bank's public API front door: developer onboarding, verification, review, apps and consents.",
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // The gateway's hot path, on the main server, is answered before express: after the same three
  // middlewares every request gets (docs/decisions.md, "Decision point served ahead of express").
  // (requestContext types req.id as the string it sets; pino-http's typings widen IncomingMessage's.)
  serveDecisionPointFirst(app, [context as HttpMiddleware, certificates, headers]);
}

export async function createHttpApp(config: AppConfig, extraModules: Type[] = []): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, extraModules), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureHttpApp(app);
  return app;
}

export async function createWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
}

/** Refuses to run workers whose processors do not cover the job registry exactly once. */
export function assertWorkersComplete(app: INestApplication | INestApplicationContext, config: AppConfig): void {
  if (config.role !== 'api') app.get(JobRegistryCheck).assertComplete();
}
