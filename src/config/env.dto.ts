import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsConnectionUrl } from './is-connection-url.validator';

export const ROLES = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof ROLES)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/** Every environment variable Gatehouse reads, as strings in, typed values out. */
export class EnvDto {
  @IsOptional()
  @IsIn(NODE_ENVS)
  NODE_ENV?: NodeEnv;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(65535)
  @IsInt()
  PORT?: number;

  @IsOptional()
  @IsIn(ROLES)
  GATEHOUSE_ROLE?: ProcessRole;

  @IsOptional()
  @IsConnectionUrl(['postgres:', 'postgresql:'])
  DATABASE_URL?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(2)
  @Max(200)
  @IsInt()
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'MIGRATE_ON_START must be true or false' })
  MIGRATE_ON_START?: boolean;

  @IsOptional()
  @IsConnectionUrl(['redis:', 'rediss:'])
  REDIS_URL?: string;

  /**
   * Seed nodes of a Redis Cluster: comma-separated redis:// or rediss:// URLs (host and port; the
   * credentials and TLS of the first apply to every node). Setting it selects cluster mode, and
   * REDIS_URL must then be unset. Checked in loadConfig (clusterNodeProblems).
   */
  @IsOptional()
  @IsString()
  REDIS_CLUSTER_NODES?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'REDIS_PREFIX must be 1-64 letters, digits, dots, dashes or underscores',
  })
  REDIS_PREFIX?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(3600)
  @IsInt()
  SCHEDULE_CHECK_SECONDS?: number;

  @IsOptional()
  @IsConnectionUrl(['smtp:', 'smtps:'])
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(320)
  MAIL_FROM?: string;

  @IsOptional()
  @IsConnectionUrl(['http:', 'https:'])
  PUBLIC_URL?: string;

  @IsOptional()
  @Matches(BASE64_32_BYTES, { message: 'MASTER_KEY must be base64 of exactly 32 bytes' })
  MASTER_KEY?: string;

  @IsOptional()
  @Matches(BASE64_32_BYTES, { message: 'MASTER_KEY_PREVIOUS must be base64 of exactly 32 bytes' })
  MASTER_KEY_PREVIOUS?: string;

  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'AUDIT_SIGNING_KEY must be a PEM (PKCS#8) Ed25519 private key' })
  AUDIT_SIGNING_KEY?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43,}={0,2}$/, { message: 'CLIENT_SECRET_PEPPER must be base64 of at least 32 bytes' })
  CLIENT_SECRET_PEPPER?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43,}={0,2}$/, { message: 'CSRF_KEY must be base64 of at least 32 bytes' })
  CSRF_KEY?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @Max(720)
  @IsInt()
  CREDENTIAL_GRACE_HOURS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  CA_KEY_PATH?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  CA_CERT_PATH?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  STORAGE_DIR?: string;

  @IsOptional()
  @IsIn(['local', 's3'])
  DOCUMENT_STORAGE?: 'local' | 's3';

  @IsOptional()
  @IsConnectionUrl(['http:', 'https:'])
  S3_ENDPOINT?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{2,32}$/, { message: 'S3_REGION must look like eu-west-2' })
  S3_REGION?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9.-]{3,63}$/, { message: 'S3_BUCKET must be a bucket name' })
  S3_BUCKET?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  S3_SECRET_ACCESS_KEY?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'S3_FORCE_PATH_STYLE must be true or false' })
  S3_FORCE_PATH_STYLE?: boolean;

  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'CUSTOMER_JWT_PUBLIC_KEY must be a PEM public key' })
  CUSTOMER_JWT_PUBLIC_KEY?: string;

  @IsOptional()
  @IsConnectionUrl(['http:', 'https:'])
  CUSTOMER_JWKS_URL?: string;

  /** How long a fetched JWKS is trusted before the next verification refetches it (docs/decisions.md). */
  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(86_400)
  @IsInt()
  CUSTOMER_JWKS_MAX_AGE_SECONDS?: number;

  /** How long after a fetch a token with an unknown `kid` may not trigger another fetch. */
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @Max(3_600)
  @IsInt()
  CUSTOMER_JWKS_COOLDOWN_SECONDS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  CUSTOMER_JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  CUSTOMER_JWT_AUDIENCE?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'SANDBOX_SEED must be 1-64 letters, digits, dots, dashes or underscores',
  })
  SANDBOX_SEED?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @Max(1000)
  @IsInt()
  SANDBOX_CUSTOMERS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  SANCTIONS_LIST_PATH?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(3650)
  @IsInt()
  CONSENT_INACTIVITY_DAYS?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(3650)
  @IsInt()
  CONSENT_MAX_DAYS?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(36500)
  @IsInt()
  CONSENT_RECORD_RETENTION_DAYS?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(3650)
  @IsInt()
  ACCESS_LOG_RETENTION_DAYS?: number;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'GATEWAY_API_KEY must be at least 32 characters' })
  GATEWAY_API_KEY?: string;

  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'OAUTH_SIGNING_KEY must be a PKCS#8 PEM private key' })
  OAUTH_SIGNING_KEY?: string;

  /** Port of the second, mutual-TLS listener (client certificates requested); unset: none. */
  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(65535)
  @IsInt()
  MTLS_PORT?: number;

  /** PEM server certificate (chain) of the mTLS listener; required with MTLS_PORT in production. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MTLS_CERT_PATH?: string;

  /** PEM private key of the mTLS listener's certificate. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  MTLS_KEY_PATH?: string;

  /** Base URL apps use for the mTLS listener (discovery's mtls_endpoint_aliases); default https://<PUBLIC_URL host>:<MTLS_PORT>. */
  @IsOptional()
  @IsConnectionUrl(['https:'])
  MTLS_PUBLIC_URL?: string;

  /** Comma-separated IPs or CIDRs whose RFC 9440 Client-Cert header is believed. */
  @IsOptional()
  @IsString()
  TRUSTED_PROXIES?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(50)
  @Max(10_000)
  @IsInt()
  CONSENT_REPLICA_HEARTBEAT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(10)
  @Max(60_000)
  @IsInt()
  CONSENT_REPLICA_RECONNECT_MS?: number;

  @IsOptional()
  @IsConnectionUrl(['http:', 'https:'])
  FCA_REGISTER_URL?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL?: (typeof LOG_LEVELS)[number];

  @IsOptional()
  @IsString()
  @MinLength(1)
  VAR_DIR?: string;

  @IsOptional()
  @Type(() => Number)
  @Min(1024)
  @Max(65535)
  @IsInt()
  EMBEDDED_POSTGRES_PORT?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(600)
  @IsInt()
  SHUTDOWN_TIMEOUT_SECONDS?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(3)
  @Max(100)
  @IsInt()
  LOGIN_MAX_FAILURES?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(86400)
  @IsInt()
  LOGIN_LOCKOUT_SECONDS?: number;

  @IsOptional()
  @Type(() => Number)
  @Min(10)
  @Max(1_000_000)
  @IsInt()
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'ALLOW_END_OF_LIFE_NODE must be true or false' })
  ALLOW_END_OF_LIFE_NODE?: boolean;
}
