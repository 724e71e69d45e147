import { Secret } from './secret';

export type DatabaseConfig = PostgresConfig | PgliteConfig;

export interface PostgresConfig {
  kind: 'postgres';
  url: Secret;
  poolSize: number;
  statementTimeoutMs: number;
  /**
   * `DATABASE_REPLICA_URLS`: streaming standbys of `url` that may serve the encounter routes'
   * reads (docs/operations.md "Read replicas"); empty: every read on `url`.
   */
  replicaUrls: readonly Secret[];
  /** `DATABASE_REPLICA_MAX_LAG_MS`: a replica further behind than this serves no read until it catches up. */
  replicaMaxLagMs: number;
}

export type PgliteConfig = {
  kind: 'pglite';
  dataDir: string;
  /**
   * A dumped data directory (PGlite's `dumpDataDir`) that a new database starts as a copy
   * of. Never read from the environment: the tests start every database from a migrated
   * template this way instead of migrating each one.
   */
  loadDataDir?: Blob;
};

/** Where recordings are kept (`RECORDINGS_STORE`). */
export type RecordingStoreConfig = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; region: string; endpoint: string | null; forcePathStyle: boolean };

/** pino's levels, most to least severe, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** `json`: one object a line, for collectors; `pretty`: coloured text, for a developer's terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;

export interface LoggingConfig {
  readonly level: (typeof LOG_LEVELS)[number];
  readonly format: (typeof LOG_FORMATS)[number];
}

/** Request budgets (docs/api.md "Rate limits"); a budget of 0 is no limit. */
export interface RateLimitConfig {
  /** Requests a key may make per window (`RATE_LIMIT_PER_KEY`). */
  readonly perKey: number;
  /** `RATE_LIMIT_WINDOW_SECONDS`, for both budgets. */
  readonly windowSeconds: number;
  /** Failed authentications a client address may make per window (`RATE_LIMIT_FAILED_AUTH_PER_IP`). */
  readonly failedAuthPerAddress: number;
  /** `REDIS_URL`: counters shared by every instance; null: each process counts alone. */
  readonly redisUrl: Secret | null;
  /** `REDIS_KEY_PREFIX`: what every counter's key starts with, so that deployments can share a Redis. */
  readonly redisKeyPrefix: string;
}

/**
 * The whole runtime configuration, validated once at boot (`loadAppConfig`).
 * Injected by class token: `constructor(private readonly config: AppConfig)`.
 */
export abstract class AppConfig {
  abstract readonly production: boolean;
  abstract readonly port: number;
  abstract readonly database: DatabaseConfig;
  abstract readonly migrateOnStart: boolean;
  /** After SIGTERM, the longest the server waits for in-flight work before it exits anyway (`SHUTDOWN_TIMEOUT_MS`). */
  abstract readonly shutdownTimeoutMs: number;
  /** `LOG_LEVEL` and `LOG_FORMAT`. */
  abstract readonly logging: LoggingConfig;
  /** The port of the Prometheus listener (`METRICS_PORT`); `null`: no listener. */
  abstract readonly metricsPort: number | null;
  /**
   * `TRUST_PROXY`: whom to believe about the client address (audit records, the failed-
   * authentication budget). `false`: the peer's address; a hop count n: the address n hops up
   * `X-Forwarded-For` (n trusted proxies); `true`: its left-most entry.
   */
  abstract readonly trustProxy: boolean | number;
  abstract readonly rateLimits: RateLimitConfig;
  abstract readonly apiKeys: {
    readonly enabled: boolean;
    readonly allowTestKeys: boolean;
    /** `null` in production without `API_KEY_DIGEST_SECRET`: keyed requests get 503. */
    readonly digestSecret: Secret | null;
    /** True when the digest secret is the fixed development one (a warning is logged). */
    readonly usingDevelopmentSecret: boolean;
    /** `API_KEY_DIGEST_SECRET_PREVIOUS`, during a rotation: keys digested under it are accepted and re-digested. */
    readonly previousDigestSecret: Secret | null;
  };
  abstract readonly recordings: {
    readonly store: RecordingStoreConfig;
    /** Lifetime of an audio URL, 1-3600 s (`AUDIO_URL_TTL_SECONDS`). */
    readonly audioUrlTtlSeconds: number;
    /** The public origin of media URLs; `null`: the origin the request was sent to. */
    readonly mediaBaseUrl: string | null;
    /** `null` in production without `MEDIA_URL_SECRET`: the audio route of the local store answers 503. */
    readonly mediaUrlSecret: Secret | null;
    /** True when the media URL secret is the fixed development one (a warning is logged). */
    readonly usingDevelopmentMediaSecret: boolean;
  };
  abstract readonly webhooks: {
    /** 32 bytes that encrypt signing secrets at rest; `null` in production without `WEBHOOK_SECRET_KEY`. */
    readonly secretKey: Secret | null;
    /** True when the key is the fixed development one (a warning is logged). */
    readonly usingDevelopmentSecretKey: boolean;
    /** `WEBHOOK_SECRET_KEY_PREVIOUS`, during a rotation: secrets stored under it still decrypt until `webhooks rekey`. */
    readonly previousSecretKey: Secret | null;
    /** Run a dispatcher in this process (`WEBHOOK_DISPATCH`). */
    readonly dispatch: boolean;
    /** Seconds between attempts: the n-th retry waits the n-th value (`WEBHOOK_RETRY_SCHEDULE`). */
    readonly retryScheduleSeconds: readonly number[];
    /** Allow `http` and loopback, private or link-local endpoint addresses (`WEBHOOK_ALLOW_PRIVATE_TARGETS`). */
    readonly allowPrivateTargets: boolean;
  };
}
