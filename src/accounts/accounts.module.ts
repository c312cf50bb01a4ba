import { Module } from '@nestjs/common';
import { BrowserSessionsModule } from '../auth/browser-sessions';
import { SESSION_AUTHENTICATOR } from '../auth/ports';
import { NotificationsModule } from '../notifications/notifications.module';
import { AccountsService } from './accounts.service';
import { AuthController } from './auth.controller';
import { LoginThrottleService } from './login-throttle.service';
import { MfaService } from './mfa.service';
import { PrincipalCache } from './principal-cache';
import { SessionsService } from './sessions.service';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';
import { UserDirectoryService } from './user-directory.service';

/** Sign-up, login, sessions, MFA and staff; implements auth's session port for the guard. */
@Module({
  imports: [NotificationsModule, BrowserSessionsModule],
  controllers: [AuthController, StaffController],
  providers: [
    AccountsService,
    SessionsService,
    PrincipalCache,
    LoginThrottleService,
    MfaService,
    StaffService,
    UserDirectoryService,
    { provide: SESSION_AUTHENTICATOR, useExisting: SessionsService },
  ],
  exports: [AccountsService, SessionsService, StaffService, UserDirectoryService, SESSION_AUTHENTICATOR],
})
export class AccountsModule {}
