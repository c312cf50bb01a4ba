import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { EnvDto, NodeEnv, ProcessRole } from './env.dto';

export interface AppConfig {
  env: NodeEnv;
  role: ProcessRole;
  varDir: string;
  http: { port: number };
  database: {
    /** Absent means "start the embedded PostgreSQL under varDir". */
    url?: string;
    migrateOnStart: boolean;
    embeddedPort: number;
    poolSize: number;
  };
  redis: {
    /**
     * A Redis server to connect to: the only one (REDIS_URL), or in cluster mode the first seed node.
     * Credentials and TLS of every connection come from it.
     */
    url: string;
    /** Cluster mode (REDIS_CLUSTER_NODES): the seed nodes, as redis:// or rediss:// URLs. Absent: one server. */
    clusterNodes?: string[];
    /** REDIS_PREFIX: what every key starts with (in cluster mode inside a hash tag, src/redis/redis-options.ts). */
    prefix: string;
  };
  queue: {
    /** How often a worker checks that every periodic job is still registered in Redis, in ms. */
    scheduleCheckMs: number;
  };
  mail: { smtpUrl?: string; from: string; fileDir: string };
  publicUrl: string;
  keys: { masterKey?: string; previousMasterKey?: string; auditSigningKey?: string };
  storage: {
    kind: 'local' | 's3';
    dir: string;
    s3?: {
      endpoint?: string;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    };
  };
  customerAuth: {
    /** PEM (SPKI) public key of the bank's identity provider; or `jwksUrl`; one is required in production. */
    jwtPublicKey?: string;
    jwksUrl?: string;
    /** JWKS cache: trusted this long after a fetch (CUSTOMER_JWKS_MAX_AGE_SECONDS, default 300). */
    jwksMaxAgeSeconds: number;
    /** No refetch for an unknown `kid` within this long of the last fetch (CUSTOMER_JWKS_COOLDOWN_SECONDS, default 30). */
    jwksCooldownSeconds: number;
    /** Required `iss` of customer tokens; outside production defaults to the sandbox bank's. */
    issuer?: string;
    /** Required `aud` when set. */
    audience?: string;
  };
  /** The synthetic sandbox bank, seeded at start outside production (src/customers/sandbox). */
  sandbox: { seed: string; customers: number };
  /** Absent means the bundled sample list. */
  sanctions: { listPath?: string };
  /** Absent means the bundled fixture of firms. */
  register: { url?: string };
  consents: {
    /** Unused consents are revoked after this many days (never used: counted from creation). */
    inactivityDays: number;
    /** Longest consent, and the default expiry, in days. */
    maxDays: number;
    /** How long ended consents and their receipts are kept, in days. */
    recordRetentionDays: number;
    /** How long access-log rows are kept, in days. */
    accessLogRetentionDays: number;
    /** Bearer key of the decision point; absent outside production means a development key under varDir. */
    gatewayApiKey?: string;
    /** The decision point's replica (src/consents/decision/consent-replica.ts). */
    replica: {
      /** How often the change counter is read to catch a missed notification, in ms; stale after max(1 s, 3 beats). */
      heartbeatMs: number;
      /** First delay before re-opening a dropped change listener, in ms (doubles up to 5 s). */
      reconnectMs: number;
    };
  };
  oauth: {
    /** PKCS#8 PEM of the key signing the authorisation server's JWTs (P-256, Ed25519 or RSA ≥ 2048 bits); absent outside production means a development key under varDir. */
    signingKey?: string;
    /** The mutual-TLS listener (SPEC: client certificates reach Gatehouse directly), when MTLS_PORT is set. */
    mtls?: {
      port: number;
      /** Base URL of the listener as apps reach it (discovery's mtls_endpoint_aliases), no trailing slash. */
      publicUrl: string;
      /** Server certificate and key (PEM files); absent outside production means one for localhost from the CA, under varDir. */
      certPath?: string;
      keyPath?: string;
    };
    /** IPs/CIDRs (`10.0.0.0/8`, `127.0.0.1`, `::1`) whose RFC 9440 Client-Cert header is believed; empty: nobody's. */
    trustedProxies: string[];
  };
  apps: {
    /** HMAC key of client-secret hashes; absent outside production means a development key under varDir. */
    secretPepper?: string;
    /** How long a superseded client secret keeps working. */
    secretGraceMs: number;
    /** The CA's key and certificate; created at first start unless NODE_ENV=production. */
    caKeyPath: string;
    caCertPath: string;
  };
  /** Browser sessions (HttpOnly cookies) of the web console. */
  browserSessions: {
    /** HMAC key (base64, ≥ 32 bytes) binding CSRF tokens to sessions (CSRF_KEY); absent outside production means a development key under varDir. */
    csrfKey?: string;
  };
  log: { level: string };
  /** Start even on a Node.js major past its end of life (emergencies only). */
  allowEndOfLifeNode: boolean;
  shutdownTimeoutMs: number;
  auth: {
    /** Failed logins per account (and 10× that per address) within the window before lockout. */
    loginMaxFailures: number;
    loginLockoutSeconds: number;
    /** Requests a minute per session token. */
    rateLimitPerMinute: number;
  };
}

/** The issuer customer tokens carry outside production when CUSTOMER_JWT_ISSUER is not set. */
export const SANDBOX_CUSTOMER_ISSUER = 'https://bank.example/sandbox';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** process.env over an optional .env file; process.env wins so deployments can override. */
export function readEnvironment(
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const file = join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => Object.values(e.constraints ?? {}).map((message) => `${e.property}: ${message}`));
}

/** Validates once and returns the typed, nested configuration, or throws naming every bad variable. */
export function loadConfig(raw: Record<string, string | undefined> = readEnvironment()): AppConfig {
  // Empty strings count as "not set", as they do in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(EnvDto, present, { excludeExtraneousValues: false });
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: false, stopAtFirstError: true });
  const problems = flatten(errors);
  if (env.DOCUMENT_STORAGE === 's3') {
    for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!env[name]) problems.push(`${name}: is required when DOCUMENT_STORAGE=s3`);
    }
  }
  if (env.NODE_ENV === 'production') {
    // Customer identity comes from the bank's identity provider; there is no development key to fall back on.
    if (!env.CUSTOMER_JWT_PUBLIC_KEY && !env.CUSTOMER_JWKS_URL) {
      problems.push('CUSTOMER_JWT_PUBLIC_KEY or CUSTOMER_JWKS_URL: one is required when NODE_ENV=production');
    }
    if (!env.CUSTOMER_JWT_ISSUER) problems.push('CUSTOMER_JWT_ISSUER: is required when NODE_ENV=production');
    if (!env.GATEWAY_API_KEY) problems.push('GATEWAY_API_KEY: is required when NODE_ENV=production');
    if (!env.OAUTH_SIGNING_KEY) problems.push('OAUTH_SIGNING_KEY: is required when NODE_ENV=production');
    if (!env.CSRF_KEY) problems.push('CSRF_KEY: is required when NODE_ENV=production');
  }
  const clusterNodes = env.REDIS_CLUSTER_NODES?.split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (env.REDIS_CLUSTER_NODES !== undefined) problems.push(...clusterNodeProblems(clusterNodes ?? []));
  if (env.REDIS_CLUSTER_NODES !== undefined && env.REDIS_URL)
    problems.push(
      'REDIS_URL and REDIS_CLUSTER_NODES: set one or the other (REDIS_CLUSTER_NODES means a Redis Cluster)',
    );
  const trustedProxies = (env.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of trustedProxies) {
    if (!isAddressOrCidr(entry)) problems.push(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
  }
  if (env.MTLS_PORT && env.MTLS_PORT === (env.PORT ?? 3000)) problems.push('MTLS_PORT: must differ from PORT');
  if (Boolean(env.MTLS_CERT_PATH) !== Boolean(env.MTLS_KEY_PATH))
    problems.push('MTLS_CERT_PATH and MTLS_KEY_PATH: set both or neither');
  if (env.NODE_ENV === 'production' && env.MTLS_PORT && !env.MTLS_CERT_PATH)
    problems.push('MTLS_CERT_PATH and MTLS_KEY_PATH: are required with MTLS_PORT when NODE_ENV=production');
  if (problems.length > 0) throw new ConfigError(problems);

  const nodeEnv = env.NODE_ENV ?? 'development';
  const varDir = resolve(env.VAR_DIR ?? 'var');
  const port = env.PORT ?? 3000;
  return {
    env: nodeEnv,
    role: env.GATEHOUSE_ROLE ?? 'all',
    varDir,
    http: { port },
    database: {
      url: env.DATABASE_URL,
      migrateOnStart: env.MIGRATE_ON_START ?? true,
      embeddedPort: env.EMBEDDED_POSTGRES_PORT ?? 54329,
      poolSize: env.DATABASE_POOL_SIZE ?? 10,
    },
    redis: {
      url: clusterNodes?.[0] ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      clusterNodes,
      prefix: env.REDIS_PREFIX ?? 'gatehouse',
    },
    queue: { scheduleCheckMs: (env.SCHEDULE_CHECK_SECONDS ?? 60) * 1000 },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM ?? 'Gatehouse <no-reply@gatehouse.local>',
      fileDir: join(varDir, 'mail'),
    },
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    keys: {
      masterKey: env.MASTER_KEY,
      previousMasterKey: env.MASTER_KEY_PREVIOUS,
      auditSigningKey: env.AUDIT_SIGNING_KEY?.replace(/\\n/g, '\n'),
    },
    storage: {
      kind: env.DOCUMENT_STORAGE ?? 'local',
      dir: resolve(env.STORAGE_DIR ?? join(varDir, 'documents')),
      s3:
        env.DOCUMENT_STORAGE === 's3'
          ? {
              endpoint: env.S3_ENDPOINT,
              region: env.S3_REGION ?? 'eu-west-2',
              bucket: env.S3_BUCKET!,
              accessKeyId: env.S3_ACCESS_KEY_ID!,
              secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
              forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
            }
          : undefined,
    },
    customerAuth: {
      jwtPublicKey: env.CUSTOMER_JWT_PUBLIC_KEY?.replace(/\\n/g, '\n'),
      jwksUrl: env.CUSTOMER_JWKS_URL,
      jwksMaxAgeSeconds: env.CUSTOMER_JWKS_MAX_AGE_SECONDS ?? 300,
      jwksCooldownSeconds: env.CUSTOMER_JWKS_COOLDOWN_SECONDS ?? 30,
      issuer: env.CUSTOMER_JWT_ISSUER ?? (nodeEnv === 'production' ? undefined : SANDBOX_CUSTOMER_ISSUER),
      audience: env.CUSTOMER_JWT_AUDIENCE,
    },
    sandbox: { seed: env.SANDBOX_SEED ?? 'gatehouse-sandbox', customers: env.SANDBOX_CUSTOMERS ?? 10 },
    sanctions: { listPath: env.SANCTIONS_LIST_PATH ? resolve(env.SANCTIONS_LIST_PATH) : undefined },
    register: { url: env.FCA_REGISTER_URL?.replace(/\/+$/, '') },
    consents: {
      inactivityDays: env.CONSENT_INACTIVITY_DAYS ?? 30,
      maxDays: env.CONSENT_MAX_DAYS ?? 90,
      recordRetentionDays: env.CONSENT_RECORD_RETENTION_DAYS ?? 6 * 365,
      accessLogRetentionDays: env.ACCESS_LOG_RETENTION_DAYS ?? 400,
      gatewayApiKey: env.GATEWAY_API_KEY,
      replica: {
        heartbeatMs: env.CONSENT_REPLICA_HEARTBEAT_MS ?? 250,
        reconnectMs: env.CONSENT_REPLICA_RECONNECT_MS ?? 200,
      },
    },
    oauth: {
      signingKey: env.OAUTH_SIGNING_KEY?.replace(/\\n/g, '\n'),
      mtls: env.MTLS_PORT
        ? {
            port: env.MTLS_PORT,
            publicUrl: (
              env.MTLS_PUBLIC_URL ?? mtlsDefaultUrl(env.PUBLIC_URL ?? `http://localhost:${port}`, env.MTLS_PORT)
            ).replace(/\/+$/, ''),
            certPath: env.MTLS_CERT_PATH ? resolve(env.MTLS_CERT_PATH) : undefined,
            keyPath: env.MTLS_KEY_PATH ? resolve(env.MTLS_KEY_PATH) : undefined,
          }
        : undefined,
      trustedProxies,
    },
    apps: {
      secretPepper: env.CLIENT_SECRET_PEPPER,
      secretGraceMs: (env.CREDENTIAL_GRACE_HOURS ?? 24) * 3600_000,
      caKeyPath: resolve(env.CA_KEY_PATH ?? join(varDir, 'ca', 'ca-key.pem')),
      caCertPath: resolve(env.CA_CERT_PATH ?? join(varDir, 'ca', 'ca.pem')),
    },
    browserSessions: { csrfKey: env.CSRF_KEY },
    log: { level: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info') },
    allowEndOfLifeNode: env.ALLOW_END_OF_LIFE_NODE ?? false,
    shutdownTimeoutMs: (env.SHUTDOWN_TIMEOUT_SECONDS ?? 30) * 1000,
    auth: {
      loginMaxFailures: env.LOGIN_MAX_FAILURES ?? 10,
      loginLockoutSeconds: env.LOGIN_LOCKOUT_SECONDS ?? 900,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE ?? 600,
    },
  };
}

/** `https://<host of PUBLIC_URL>:<MTLS_PORT>`: where the mTLS listener is, unless MTLS_PUBLIC_URL says otherwise. */
function mtlsDefaultUrl(publicUrl: string, mtlsPort: number): string {
  return `https://${new URL(publicUrl).hostname}:${mtlsPort}`;
}

/**
 * What is wrong with the seed nodes of REDIS_CLUSTER_NODES: each must be a redis:// or rediss:// URL
 * with a host and a port and no database (a cluster has only database 0); all must share the
 * scheme and credentials, since one set of options (the first node's) reaches every node.
 */
function clusterNodeProblems(nodes: string[]): string[] {
  const name = 'REDIS_CLUSTER_NODES';
  if (nodes.length === 0) return [`${name}: lists no node`];
  const problems: string[] = [];
  const parsed: URL[] = [];
  // Entries are named by position and host, never quoted whole: they may carry a password.
  nodes.forEach((node, i) => {
    let url: URL;
    try {
      url = new URL(node);
    } catch {
      problems.push(`${name}: node ${i + 1} is not a redis:// or rediss:// URL`);
      return;
    }
    if (!['redis:', 'rediss:'].includes(url.protocol) || !url.hostname || !url.port) {
      problems.push(`${name}: node ${i + 1} must be a redis:// or rediss:// URL with a host and a port`);
    } else if (url.pathname.length > 1 && url.pathname !== '/0') {
      problems.push(`${name}: ${url.host} names a database; a Redis Cluster has only database 0`);
    } else parsed.push(url);
  });
  const first = parsed[0];
  if (
    first &&
    parsed.some((u) => u.protocol !== first.protocol || u.username !== first.username || u.password !== first.password)
  )
    problems.push(`${name}: every node must use the same scheme and credentials`);
  return problems;
}

/** An IPv4/IPv6 address, or one with a `/prefix` in range. */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
