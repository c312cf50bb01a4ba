import { CanActivate, ExecutionContext, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';

/**
 * The bank gateway's key for the decision point: GATEWAY_API_KEY, or outside production (when it
 * is unset) a development key generated once under `<varDir>/keys/gateway-api-key`.
 */
@Injectable()
export class GatewayKey implements OnModuleInit {
  private readonly logger = new Logger(GatewayKey.name);
  private key: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    const configured = this.config.consents.gatewayApiKey;
    if (configured) this.key = Buffer.from(configured, 'utf8');
    else if (this.config.env !== 'production') {
      const path = developmentKeyPath(this.config.varDir);
      this.key = Buffer.from(loadDevelopmentGatewayKey(path), 'utf8');
      this.logger.warn(
        `using a DEVELOPMENT gateway API key from ${path} (set GATEWAY_API_KEY): ` +
          'the gateway sends it as "Authorization: Bearer <key>" to POST /v1/consent-decisions',
      );
    }
  }

  /**
   * Whether `presented` is the key, compared in constant time. A presented value of another length
   * is refused at once: that reveals the key's length (at least 32 characters, not a secret), and
   * saves hashing both sides on every request of the gateway's hot path (bench/consent-decisions.ts).
   */
  matches(presented: string): boolean {
    if (this.key === undefined) return false;
    const candidate = Buffer.from(presented, 'utf8');
    return candidate.length === this.key.length && timingSafeEqual(candidate, this.key);
  }
}

export const developmentKeyPath = (varDir: string) => join(varDir, 'keys', 'gateway-api-key');

/**
 * Reads the development key at `path`, creating it first if absent. Race-safe between processes
 * starting together: the key is written whole to a private temporary file, then hard-linked into
 * place (which fails if another process won), so nobody ever reads a half-written key.
 */
export function loadDevelopmentGatewayKey(path: string): string {
  if (!existsSync(path)) {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
    writeFileSync(temporary, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(temporary);
    }
  }
  return readFileSync(path, 'utf8').trim();
}

const BEARER = /^Bearer (\S{1,512})$/;

/**
 * Why an `Authorization` header does not admit the gateway (a 401 DomainError with
 * `WWW-Authenticate: Bearer`), or undefined when it carries the key.
 */
export function gatewayKeyRefusal(key: GatewayKey, header: string | undefined): DomainError | undefined {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (match && key.matches(match[1]!)) return undefined;
  return new DomainError(
    'unauthenticated',
    'Send the gateway\'s API key as "Authorization: Bearer <GATEWAY_API_KEY>"',
    {},
    { 'WWW-Authenticate': 'Bearer' },
  );
}

/**
 * Admits the bank's API gateway (`Authorization: Bearer <GATEWAY_API_KEY>`) on the routes that
 * declare it; anyone else gets 401 problem+json with `WWW-Authenticate: Bearer`.
 */
@Injectable()
export class GatewayKeyGuard implements CanActivate {
  constructor(private readonly key: GatewayKey) {}

  canActivate(context: ExecutionContext): boolean {
    const refusal = gatewayKeyRefusal(this.key, context.switchToHttp().getRequest<Request>().headers.authorization);
    if (refusal) throw refusal;
    return true;
  }
}
