import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { DisplayName } from '../../common/text/names';
import { STAFF_ROLES, StaffRole } from '../../auth/roles';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class SignupDto {
  @ApiProperty({ example: 'ada@fintech.example' })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty({
    description: 'At least 15 characters; any characters; common passwords are refused',
    minLength: 15,
    maxLength: 256,
  })
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @DisplayName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class TokenDto {
  @ApiProperty()
  @IsString()
  @Length(20, 200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'token is not a token Gatehouse issued' })
  token: string;
}

export class LoginDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ description: 'Six-digit code from the authenticator app (staff with MFA)' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'totp must be 6 digits' })
  totp?: string;

  @ApiPropertyOptional({
    enum: ['cookie'],
    description:
      'For browsers: `cookie` keeps the session token in an HttpOnly cookie (gh_session) instead of the answer, ' +
      'which then carries the CSRF token every write must send as X-CSRF-Token. The body must be application/json.',
  })
  @IsOptional()
  @IsIn(['cookie'], { message: 'session must be "cookie" when given' })
  session?: 'cookie';
}

/** The answer to a bearer sign-in: the session token goes in `Authorization: Bearer <accessToken>`. */
export class LoginAnswer {
  @ApiProperty({ example: 'gatehouse_session_…' })
  accessToken: string;

  @ApiProperty({ format: 'date-time', description: 'When the session ends at the latest (it ends sooner when idle)' })
  expiresAt: string;
}

/** The answer to a browser sign-in (`session: "cookie"`): the token itself stays in the HttpOnly cookie. */
export class BrowserLoginAnswer {
  @ApiProperty({ format: 'date-time', description: 'When the session ends at the latest (it ends sooner when idle)' })
  expiresAt: string;

  @ApiProperty({
    description: 'Send as X-CSRF-Token on every write made with the session cookie (also in the gh_csrf cookie)',
  })
  csrfToken: string;
}

export class PasswordResetRequestDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;
}

export class PasswordResetConfirmDto extends TokenDto {
  @ApiProperty({ minLength: 15, maxLength: 256 })
  @IsString()
  @MaxLength(1024)
  password: string;
}

export class TotpConfirmDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class CreateStaffDto {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email: string;

  @ApiProperty()
  @DisplayName()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES)
  role: StaffRole;

  @ApiProperty({ minLength: 15 })
  @IsString()
  @MaxLength(1024)
  password: string;
}

/** Who the caller is (`GET /v1/me`): a developer or staff account, never a customer. */
export class MeView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['developer', 'staff'] })
  kind!: 'developer' | 'staff';

  @ApiProperty()
  email!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  emailVerified!: boolean;

  @ApiProperty({ enum: STAFF_ROLES, nullable: true, type: String })
  staffRole!: StaffRole | null;

  @ApiProperty({ description: 'Whether TOTP two-factor authentication is enrolled (staff must enrol)' })
  mfaEnrolled!: boolean;
}

/** `POST /v1/auth/mfa/totp/setup`: what an authenticator app needs (RFC 6238, SHA-1, 6 digits, 30 s). */
export class TotpSetupView {
  @ApiProperty({
    example:
      'otpauth://totp/Gatehouse:reviewer%40bank.example?issuer=Gatehouse&secret=…&algorithm=SHA1&digits=6&period=30',
    description: 'The otpauth:// URI a QR code carries to the authenticator app',
  })
  otpauthUrl!: string;

  @ApiProperty({ description: 'The same secret in base32, for typing into the app by hand' })
  secret!: string;
}

/** `POST /v1/auth/mfa/totp/confirm`: enrolment done; this session counts as two-factor. */
export class TotpConfirmView {
  @ApiProperty({ enum: [true] })
  mfaEnrolled!: true;
}

/** A staff account as an admin lists it. */
export class StaffMemberView extends MeView {
  @ApiProperty({ description: 'Disabled accounts cannot sign in' })
  disabled!: boolean;
}

/** `GET /v1/admin/staff`. */
export class StaffMemberList {
  @ApiProperty({ type: [StaffMemberView] })
  data!: StaffMemberView[];
}
