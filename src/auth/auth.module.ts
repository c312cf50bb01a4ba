import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { BrowserSessionsModule } from './browser-sessions';
import { RateLimiter } from './rate-limiter';

/** The modules that export the ports' bindings (ports.ts). */
export interface AuthPortImplementations {
  /** Exports SESSION_AUTHENTICATOR. */
  sessionAuthenticator: Type;
  /** Exports ORGANISATION_MEMBERSHIP. */
  organisationMembership: Type;
  /** Exports CUSTOMER_AUTHENTICATOR. */
  customerAuthenticator: Type;
}

/**
 * Registers the guard for every route of the application (APP_GUARD applies app-wide whichever
 * module provides it). Auth sits below accounts and organisations, so it cannot import them; the
 * composition root (app.module.ts) names them here, and the guard sees the ports they export.
 */
@Module({})
export class AuthModule {
  static forRoot(implementations: AuthPortImplementations): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        implementations.sessionAuthenticator,
        implementations.organisationMembership,
        implementations.customerAuthenticator,
        BrowserSessionsModule,
      ],
      providers: [RateLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
