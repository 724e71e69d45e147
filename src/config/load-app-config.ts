import { AppConfig, LOG_FORMATS, LOG_LEVELS, type LoggingConfig, RecordingStoreConfig } from './app-config';
import { Secret } from './secret';

/** Bad configuration: the process stops with this one line (see docs/operations.md). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Development-only digest secret, so that `npm start` and `npm test` need no setup.
 * Never used when NODE_ENV=production.
 */
const DEVELOPMENT_DIGEST_SECRET = 'charthero-development-digest-secret-not-for-production';
/** The same, for media URLs. */
const DEVELOPMENT_MEDIA_URL_SECRET = 'charthero-development-media-url-secret-not-for-production';
/** The same, for webhook signing secrets at rest: 32 bytes, base64. */
const DEVELOPMENT_WEBHOOK_SECRET_KEY = Buffer.from('charthero-dev-webhook-key-32byte').toString('base64');
/** docs/webhooks.md "Answering, retries and idempotency": about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. */
const DEFAULT_RETRY_SCHEDULE = '5,300,1800,7200,18000,36000,36000';

export function loadAppConfig(env: NodeJS.ProcessEnv): AppConfig {
  const production = env.NODE_ENV === 'production';
  const port = parsePort('PORT', env.PORT, 3000);
  const metricsPort = parseMetricsPort(env.METRICS_PORT);
  if (metricsPort === port) throw new ConfigError(`METRICS_PORT must differ from PORT (both ${port}): metrics are never served on the partner port.`);
  const configuredSecret = nonEmpty(env.API_KEY_DIGEST_SECRET);
  const digestSecret = configuredSecret ?? (production ? null : DEVELOPMENT_DIGEST_SECRET);
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  const configuredMediaSecret = nonEmpty(env.MEDIA_URL_SECRET);
  const mediaSecret = configuredMediaSecret ?? (production ? null : DEVELOPMENT_MEDIA_URL_SECRET);
  const configuredWebhookKey = nonEmpty(env.WEBHOOK_SECRET_KEY);
  const webhookKey = configuredWebhookKey ?? (production ? null : DEVELOPMENT_WEBHOOK_SECRET_KEY);
  const previousWebhookKey = nonEmpty(env.WEBHOOK_SECRET_KEY_PREVIOUS);

  const replicaMaxLagMs = parseInteger('DATABASE_REPLICA_MAX_LAG_MS', env.DATABASE_REPLICA_MAX_LAG_MS, { min: 100, max: 600_000, fallback: 1_000 });
  const replicaUrls = parseReplicaUrls(env.DATABASE_REPLICA_URLS, databaseUrl);

  return {
    production,
    port,
    database: databaseUrl
      ? {
          kind: 'postgres',
          url: parsePostgresUrl(databaseUrl),
          poolSize: parseInteger('DB_POOL_SIZE', env.DB_POOL_SIZE, { min: 1, max: 100, fallback: 10 }),
          statementTimeoutMs: parseInteger('DB_STATEMENT_TIMEOUT_MS', env.DB_STATEMENT_TIMEOUT_MS, { min: 100, max: 600_000, fallback: 5_000 }),
          replicaUrls,
          replicaMaxLagMs,
        }
      : { kind: 'pglite', dataDir: nonEmpty(env.PGLITE_DATA_DIR) ?? '.data/pglite' },
    migrateOnStart: parseBoolean('DB_MIGRATE_ON_START', env.DB_MIGRATE_ON_START, true),
    shutdownTimeoutMs: parseInteger('SHUTDOWN_TIMEOUT_MS', env.SHUTDOWN_TIMEOUT_MS, { min: 1_000, max: 600_000, fallback: 10_000 }),
    logging: {
      level: parseChoice('LOG_LEVEL', env.LOG_LEVEL, LOG_LEVELS, 'info'),
      format: parseChoice('LOG_FORMAT', env.LOG_FORMAT, LOG_FORMATS, production ? 'json' : 'pretty'),
    },
    metricsPort,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    rateLimits: {
      perKey: parseInteger('RATE_LIMIT_PER_KEY', env.RATE_LIMIT_PER_KEY, { min: 0, max: 1_000_000_000, fallback: 6000 }),
      windowSeconds: parseInteger('RATE_LIMIT_WINDOW_SECONDS', env.RATE_LIMIT_WINDOW_SECONDS, { min: 1, max: 86_400, fallback: 60 }),
      failedAuthPerAddress: parseInteger('RATE_LIMIT_FAILED_AUTH_PER_IP', env.RATE_LIMIT_FAILED_AUTH_PER_IP, { min: 0, max: 1_000_000_000, fallback: 60 }),
      redisUrl: parseRedisUrl(env.REDIS_URL),
      redisKeyPrefix: nonEmpty(env.REDIS_KEY_PREFIX)?.trim() ?? 'charthero:',
    },
    apiKeys: {
      enabled: parseBoolean('API_KEYS_ENABLED', env.API_KEYS_ENABLED, true),
      allowTestKeys: parseBoolean('ALLOW_TEST_KEYS', env.ALLOW_TEST_KEYS, !production),
      digestSecret: digestSecret === null ? null : new Secret(digestSecret),
      usingDevelopmentSecret: configuredSecret === undefined && !production,
      previousDigestSecret: secretOrNull(env.API_KEY_DIGEST_SECRET_PREVIOUS),
    },
    recordings: {
      store: parseRecordingStore(env),
      audioUrlTtlSeconds: parseInteger('AUDIO_URL_TTL_SECONDS', env.AUDIO_URL_TTL_SECONDS, { min: 1, max: 3600, fallback: 900 }),
      mediaBaseUrl: parseOrigin('MEDIA_BASE_URL', env.MEDIA_BASE_URL),
      mediaUrlSecret: mediaSecret === null ? null : new Secret(mediaSecret),
      usingDevelopmentMediaSecret: configuredMediaSecret === undefined && !production,
    },
    webhooks: {
      secretKey: webhookKey === null ? null : parseWebhookSecretKey(webhookKey),
      usingDevelopmentSecretKey: configuredWebhookKey === undefined && !production,
      previousSecretKey: previousWebhookKey === undefined ? null : parseWebhookSecretKey(previousWebhookKey, 'WEBHOOK_SECRET_KEY_PREVIOUS'),
      dispatch: parseBoolean('WEBHOOK_DISPATCH', env.WEBHOOK_DISPATCH, true),
      retryScheduleSeconds: parseRetrySchedule(nonEmpty(env.WEBHOOK_RETRY_SCHEDULE) ?? DEFAULT_RETRY_SCHEDULE),
      allowPrivateTargets: parseBoolean('WEBHOOK_ALLOW_PRIVATE_TARGETS', env.WEBHOOK_ALLOW_PRIVATE_TARGETS, !production),
    },
  };
}

/**
 * How the line of a configuration error is logged, when the configuration cannot be read: as
 * every other line would be (JSON in production, unless a valid LOG_FORMAT says otherwise).
 */
export function loggingBeforeConfig(env: NodeJS.ProcessEnv): LoggingConfig {
  const format = LOG_FORMATS.find((choice) => choice === env.LOG_FORMAT?.trim());
  return { level: 'info', format: format ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty') };
}

/** `false` (default), `true`, or a hop count from 1 to 10 (`0` is `false`). */
function parseTrustProxy(raw: string | undefined): boolean | number {
  const value = nonEmpty(raw)?.trim().toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value) && Number(value) <= 10) return Number(value);
  throw new ConfigError(`TRUST_PROXY must be "true", "false" or a hop count from 0 to 10, got "${raw}".`);
}

/** A redis:// or rediss:// URL; it may hold a password, so it is kept as a Secret and never echoed. */
function parseRedisUrl(raw: string | undefined): Secret | null {
  const value = nonEmpty(raw)?.trim();
  if (value === undefined) return null;
  const invalid = new ConfigError('REDIS_URL must be a URL like redis://host:6379 or rediss://user:password@host:6380/0.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid;
  }
  if (!['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '') throw invalid;
  return new Secret(value);
}

/** 32 bytes in base64 (`openssl rand -base64 32`); never echoed in an error. */
function parseWebhookSecretKey(raw: string, name = 'WEBHOOK_SECRET_KEY'): Secret {
  const value = raw.trim();
  const bytes = Buffer.from(value, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || bytes.length !== 32) {
    throw new ConfigError(`${name} must be 32 random bytes in base64, as \`openssl rand -base64 32\` prints them.`);
  }
  return new Secret(value);
}

/** Comma-separated whole seconds, each from 1 to 604800 (a week), at least one. */
function parseRetrySchedule(raw: string): number[] {
  const items = raw.split(',').map((item) => item.trim());
  if (!items.every((item) => /^\d{1,6}$/.test(item) && Number(item) >= 1 && Number(item) <= 604_800)) {
    throw new ConfigError(`WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds from 1 to 604800, like ${DEFAULT_RETRY_SCHEDULE}, got "${raw}".`);
  }
  return items.map(Number);
}

function parseRecordingStore(env: NodeJS.ProcessEnv): RecordingStoreConfig {
  const kind = nonEmpty(env.RECORDINGS_STORE)?.trim() ?? 'local';
  if (kind === 'local') return { kind, dir: nonEmpty(env.RECORDINGS_DIR) ?? '.data/recordings' };
  if (kind !== 's3') throw new ConfigError(`RECORDINGS_STORE must be "local" or "s3", got "${env.RECORDINGS_STORE}".`);
  const bucket = nonEmpty(env.S3_BUCKET)?.trim();
  if (bucket === undefined) throw new ConfigError('S3_BUCKET is required with RECORDINGS_STORE=s3.');
  // The SDK would find a region in these too; without one it fails at the first upload instead of at start.
  const region = [env.S3_REGION, env.AWS_REGION, env.AWS_DEFAULT_REGION]
    .map(nonEmpty)
    .find((value) => value !== undefined)
    ?.trim();
  if (region === undefined) throw new ConfigError('S3_REGION (or AWS_REGION) is required with RECORDINGS_STORE=s3.');
  const endpoint = nonEmpty(env.S3_ENDPOINT);
  return {
    kind,
    bucket,
    region,
    endpoint: endpoint === undefined ? null : parseOrigin('S3_ENDPOINT', endpoint, { allowPath: true }),
    forcePathStyle: parseBoolean('S3_FORCE_PATH_STYLE', env.S3_FORCE_PATH_STYLE, false),
  };
}

/** An http(s) URL such as `https://media.example.com`, without a trailing slash; unset is null. */
function parseOrigin(name: string, raw: string | undefined, { allowPath = false } = {}): string | null {
  const value = nonEmpty(raw)?.trim();
  if (value === undefined) return null;
  const invalid = new ConfigError(`${name} must be an http or https URL like https://media.example.com${allowPath ? '' : ' (no path, query or fragment)'}, got "${raw}".`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid;
  }
  const pathless = url.pathname === '/' && url.search === '' && url.hash === '';
  if (!['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '' || (!allowPath && !pathless)) throw invalid;
  return allowPath ? value.replace(/\/+$/, '') : url.origin;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** An optional secret (the previous one of a rotation): unset or empty is none. */
function secretOrNull(value: string | undefined): Secret | null {
  const secret = nonEmpty(value);
  return secret === undefined ? null : new Secret(secret);
}

/** A TCP port from 0 to 65535 (`name`, unset: `fallback`); 0 is the kernel's choice for PORT, off for METRICS_PORT. */
function parsePort(name: string, raw: string | undefined, fallback: number, zero = ''): number {
  if (nonEmpty(raw) === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw!.trim()) || port > 65535) {
    throw new ConfigError(`${name} must be an integer from 0${zero} to 65535, got "${raw}".`);
  }
  return port;
}

/** `METRICS_PORT`: 9464 (Prometheus' registered exporter port) by default; `0` turns the listener off. */
function parseMetricsPort(raw: string | undefined): number | null {
  const port = parsePort('METRICS_PORT', raw, 9464, ' (off)');
  return port === 0 ? null : port;
}

function parseChoice<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  const value = nonEmpty(raw)?.trim();
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${raw}".`);
  return value as T;
}

function parseInteger(name: string, raw: string | undefined, range: { min: number; max: number; fallback: number }): number {
  const value = nonEmpty(raw)?.trim();
  if (value === undefined) return range.fallback;
  if (!/^\d+$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
    throw new ConfigError(`${name} must be an integer from ${range.min} to ${range.max}, got "${raw}".`);
  }
  return Number(value);
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  const value = nonEmpty(raw)?.trim().toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${name} must be "true" or "false", got "${raw}".`);
}

/**
 * Comma-separated PostgreSQL URLs of streaming standbys of DATABASE_URL's server, which the
 * embedded database cannot have. Like DATABASE_URL, never echoed (they may hold passwords).
 */
function parseReplicaUrls(raw: string | undefined, databaseUrl: string | undefined): Secret[] {
  const value = nonEmpty(raw);
  if (value === undefined) return [];
  if (databaseUrl === undefined)
    throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are standbys of a PostgreSQL primary, and the embedded database has none.');
  const urls = value.split(',').map((item) => item.trim());
  if (urls.some((url) => url === '')) throw new ConfigError('DATABASE_REPLICA_URLS must be comma-separated PostgreSQL URLs, with none empty.');
  if (new Set(urls).size !== urls.length) throw new ConfigError('DATABASE_REPLICA_URLS lists a replica twice.');
  if (urls.includes(databaseUrl.trim())) throw new ConfigError('DATABASE_REPLICA_URLS lists DATABASE_URL: the primary is read from anyway, and replicas are its standbys.');
  return urls.map((url) => parsePostgresUrl(url, 'DATABASE_REPLICA_URLS'));
}

/** The URL may hold a password: it is kept as a Secret and never echoed in an error. */
function parsePostgresUrl(raw: string, name = 'DATABASE_URL'): Secret {
  const invalid = new ConfigError(`${name} must ${name === 'DATABASE_URL' ? 'be a URL' : 'be URLs'} like postgres://user:password@host:5432/database.`);
  // `new URL` alone would accept `postgres:user@host`, which the driver reads as something else.
  if (!/^postgres(ql)?:\/\/[^/]/.test(raw)) throw invalid;
  try {
    new URL(raw);
  } catch {
    throw invalid;
  }
  return new Secret(raw);
}
