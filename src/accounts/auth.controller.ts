import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, Public } from '../auth/access.decorator';
import { BrowserSessions, assertJsonBody } from '../auth/browser-sessions';
import { AccountsService, MeView } from './accounts.service';
import {
  BrowserLoginAnswer,
  LoginAnswer,
  LoginDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  SignupDto,
  TokenDto,
  TotpConfirmDto,
  TotpConfirmView,
  TotpSetupView,
} from './dto/auth.dto';
import { MfaService } from './mfa.service';
import type { AuthenticatedRequest, Principal } from '../auth/principal';
import { CurrentPrincipal, RequestId } from '../auth/principal';

@ApiTags('accounts')
@Controller('v1')
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly mfa: MfaService,
    private readonly browserSessions: BrowserSessions,
  ) {}

  @Post('auth/signup')
  @Public()
  @ApiOperation({ summary: 'Create a developer account; a verification link is emailed' })
  signup(@Body() body: SignupDto, @RequestId() requestId?: string): Promise<MeView> {
    return this.accounts.signup(body.email, body.password, body.name, requestId);
  }

  @Post('auth/verify-email')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Confirm an email address with the emailed token' })
  async verifyEmail(@Body() body: TokenDto, @RequestId() requestId?: string): Promise<void> {
    await this.accounts.verifyEmail(body.token, requestId);
  }

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in; staff with MFA also send `totp`. Throttled per account and address.',
    description:
      'With `session: "cookie"` (browsers) the session token is set as the HttpOnly cookie gh_session and the ' +
      'answer carries the CSRF token instead (also set as the readable cookie gh_csrf).',
  })
  @ApiExtraModels(LoginAnswer, BrowserLoginAnswer)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(LoginAnswer) }, { $ref: getSchemaPath(BrowserLoginAnswer) }] },
  })
  async login(
    @Body() body: LoginDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginAnswer | BrowserLoginAnswer> {
    if (body.session === 'cookie') assertJsonBody(req);
    const session = await this.accounts.login(body.email, body.password, body.totp, req.ip ?? 'unknown', req.id);
    if (body.session !== 'cookie') return session;
    const csrfToken = this.browserSessions.start(res, 'session', session.accessToken, new Date(session.expiresAt));
    return { expiresAt: session.expiresAt, csrfToken };
  }

  @Post('auth/logout')
  @Authenticated({ beforeMfa: true })
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session; also clears the browser-session cookies' })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.accounts.logout(principal, requestId);
    this.browserSessions.end(res, 'session');
  }

  @Post('auth/password-reset/request')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'Email a reset link; always 202, whether or not the address has an account' })
  async requestPasswordReset(
    @Body() body: PasswordResetRequestDto,
    @RequestId() requestId?: string,
  ): Promise<{ status: 'accepted' }> {
    await this.accounts.requestPasswordReset(body.email, requestId);
    return { status: 'accepted' };
  }

  @Post('auth/password-reset/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with the emailed token; ends every session' })
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto, @RequestId() requestId?: string): Promise<void> {
    await this.accounts.confirmPasswordReset(body.token, body.password, requestId);
  }

  @Post('auth/mfa/totp/setup')
  @Authenticated({ beforeMfa: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'Start TOTP enrolment: an otpauth:// URL and the secret for the authenticator app' })
  @ApiOkResponse({ type: TotpSetupView })
  setupTotp(@CurrentPrincipal() principal: Principal): Promise<{ otpauthUrl: string; secret: string }> {
    return this.mfa.setup(principal);
  }

  @Post('auth/mfa/totp/confirm')
  @Authenticated({ beforeMfa: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish TOTP enrolment with a current code' })
  @ApiOkResponse({ type: TotpConfirmView })
  confirmTotp(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TotpConfirmDto,
    @RequestId() requestId?: string,
  ): Promise<{ mfaEnrolled: true }> {
    return this.mfa.confirm(principal, body.code, requestId);
  }

  @Get('me')
  @Authenticated({ beforeMfa: true })
  @ApiOperation({ summary: 'Who am I' })
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): MeView {
    return this.accounts.me(principal);
  }
}
