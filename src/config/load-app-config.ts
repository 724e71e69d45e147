import { AppConfig } from './app-config';
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

export function loadAppConfig(env: NodeJS.ProcessEnv): AppConfig {
  const production = env.NODE_ENV === 'production';
  const configuredSecret = nonEmpty(env.API_KEY_DIGEST_SECRET);
  const digestSecret = configuredSecret ?? (production ? null : DEVELOPMENT_DIGEST_SECRET);
  const databaseUrl = nonEmpty(env.DATABASE_URL);

  return {
    production,
    port: parsePort(env.PORT),
    database: databaseUrl
      ? {
          kind: 'postgres',
          url: parsePostgresUrl(databaseUrl),
          poolSize: parseInteger('DB_POOL_SIZE', env.DB_POOL_SIZE, { min: 1, max: 100, fallback: 10 }),
          statementTimeoutMs: parseInteger('DB_STATEMENT_TIMEOUT_MS', env.DB_STATEMENT_TIMEOUT_MS, { min: 100, max: 600_000, fallback: 5_000 }),
        }
      : { kind: 'pglite', dataDir: nonEmpty(env.PGLITE_DATA_DIR) ?? '.data/pglite' },
    migrateOnStart: parseBoolean('DB_MIGRATE_ON_START', env.DB_MIGRATE_ON_START, true),
    apiKeys: {
      enabled: parseBoolean('API_KEYS_ENABLED', env.API_KEYS_ENABLED, true),
      allowTestKeys: parseBoolean('ALLOW_TEST_KEYS', env.ALLOW_TEST_KEYS, !production),
      digestSecret: digestSecret === null ? null : new Secret(digestSecret),
      usingDevelopmentSecret: configuredSecret === undefined && !production,
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function parsePort(raw: string | undefined): number {
  if (nonEmpty(raw) === undefined) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw!.trim()) || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}".`);
  }
  return port;
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

/** The URL may hold a password: it is kept as a Secret and never echoed in an error. */
function parsePostgresUrl(raw: string): Secret {
  const invalid = new ConfigError('DATABASE_URL must be a URL like postgres://user:password@host:5432/database.');
  // `new URL` alone would accept `postgres:user@host`, which the driver reads as something else.
  if (!/^postgres(ql)?:\/\/[^/]/.test(raw)) throw invalid;
  try {
    new URL(raw);
  } catch {
    throw invalid;
  }
  return new Secret(raw);
}
