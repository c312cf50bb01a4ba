import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/**
 * The largest customer JWT a browser session can carry: browsers keep cookies of up to 4096 bytes
 * (name, value and attributes; RFC 6265 §6.1 asks at least that of them), so a longer token would
 * be dropped silently and the customer signed out at the next request.
 */
export const CUSTOMER_SESSION_TOKEN_MAX = 3800;

export class CustomerSessionDto {
  @ApiProperty({
    description:
      "The customer's JWT from the bank's identity provider (or POST /dev/customer-token outside production)",
    maxLength: CUSTOMER_SESSION_TOKEN_MAX,
  })
  @IsString()
  @MaxLength(CUSTOMER_SESSION_TOKEN_MAX, {
    message: `token must be at most ${CUSTOMER_SESSION_TOKEN_MAX} characters to fit in a browser cookie`,
  })
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, { message: 'token must be a compact JWT' })
  token: string;
}

/** The answer to POST /v1/customer/session: the JWT itself stays in the HttpOnly cookie gh_customer. */
export class CustomerSessionAnswer {
  @ApiProperty({ description: "The token's `sub`: the identity provider's name for the customer" })
  sub: string;

  @ApiProperty({ format: 'date-time', description: "The token's expiry, when the browser session ends" })
  expiresAt: string;

  @ApiProperty({
    description:
      'Send as X-CSRF-Token on every write made with the session cookie (also in the gh_customer_csrf cookie)',
  })
  csrfToken: string;
}

/** The answer to GET /v1/customer/session. */
export class CustomerSessionView {
  @ApiProperty({ description: "The signed-in customer's `sub`" })
  sub: string;
}
