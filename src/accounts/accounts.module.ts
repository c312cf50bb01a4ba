import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { NotificationsModule } from '../notifications/notifications.module';
import { AccountsService } from './accounts.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { LoginThrottleService } from './login-throttle.service';
import { MfaService } from './mfa.service';
import { PrincipalCache } from './principal-cache';
import { RateLimiter } from './rate-limiter';
import { SessionsService } from './sessions.service';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';

/** Global: the auth guard applies to every route of every module. */
@Global()
@Module({
  imports: [NotificationsModule],
  controllers: [AuthController, StaffController],
  providers: [AccountsService, SessionsService, PrincipalCache, RateLimiter, LoginThrottleService, MfaService, StaffService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AccountsService, SessionsService, StaffService],
})
export class AccountsModule {}
