import { inspect } from 'node:util';
import { ConfigError, loadAppConfig, loggingBeforeConfig } from '../../src/config/load-app-config';
import { Secret } from '../../src/config/secret';

function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(Object.keys(env))} to be refused, but the configuration loaded`);
}

describe('loadAppConfig', () => {
  describe('with an empty environment (development defaults)', () => {
    const config = loadAppConfig({});

    it('serves on port 3000 from the embedded database in .data/pglite, migrating on start', () => {
      expect(config).toMatchObject({
        production: false,
        port: 3000,
        database: { kind: 'pglite', dataDir: '.data/pglite' },
        migrateOnStart: true,
      });
    });

    it('enables API keys and accepts test keys', () => {
      expect(config.apiKeys).toMatchObject({ enabled: true, allowTestKeys: true });
    });

    it('uses the fixed development digest secret and says so', () => {
      expect(config.apiKeys.digestSecret).toBeInstanceOf(Secret);
      expect(config.apiKeys.digestSecret?.reveal()).toMatch(/\S{16,}/);
      expect(config.apiKeys.usingDevelopmentSecret).toBe(true);
    });
  });

  describe('with NODE_ENV=production', () => {
    const config = loadAppConfig({ NODE_ENV: 'production' });

    it('refuses test keys by default', () => {
      expect(config.production).toBe(true);
      expect(config.apiKeys.allowTestKeys).toBe(false);
    });

    it('has no digest secret unless one is configured (keyed requests then get 503)', () => {
      expect(config.apiKeys.digestSecret).toBeNull();
      expect(config.apiKeys.usingDevelopmentSecret).toBe(false);
    });

    it('keeps the other defaults', () => {
      expect(config).toMatchObject({ port: 3000, database: { kind: 'pglite', dataDir: '.data/pglite' }, migrateOnStart: true });
      expect(config.apiKeys.enabled).toBe(true);
    });

    it('uses a configured digest secret', () => {
      const configured = loadAppConfig({ NODE_ENV: 'production', API_KEY_DIGEST_SECRET: 'production-digest-secret' });
      expect(configured.apiKeys.digestSecret?.reveal()).toBe('production-digest-secret');
      expect(configured.apiKeys.usingDevelopmentSecret).toBe(false);
    });

    it('accepts test keys when ALLOW_TEST_KEYS=true (a sandbox deployment)', () => {
      expect(loadAppConfig({ NODE_ENV: 'production', ALLOW_TEST_KEYS: 'true' }).apiKeys.allowTestKeys).toBe(true);
    });
  });

  it('does not report the development secret when a secret is configured outside production', () => {
    const config = loadAppConfig({ API_KEY_DIGEST_SECRET: 'my-own-secret' });
    expect(config.apiKeys.digestSecret?.reveal()).toBe('my-own-secret');
    expect(config.apiKeys.usingDevelopmentSecret).toBe(false);
  });

  it('reads each setting from its variable', () => {
    const config = loadAppConfig({
      PORT: '8080',
      PGLITE_DATA_DIR: '/var/lib/charthero',
      DB_MIGRATE_ON_START: 'false',
      API_KEYS_ENABLED: 'false',
      ALLOW_TEST_KEYS: 'false',
    });
    expect(config).toMatchObject({ port: 8080, database: { kind: 'pglite', dataDir: '/var/lib/charthero' }, migrateOnStart: false });
    expect(config.apiKeys).toMatchObject({ enabled: false, allowTestKeys: false });
  });

  it.each(['postgres://app:pw@db.example.com:5432/charthero', 'postgresql://app@localhost/charthero'])('connects to PostgreSQL when DATABASE_URL=%s', (url) => {
    const database = loadAppConfig({ DATABASE_URL: url }).database;
    expect(database.kind === 'postgres' && database.url.reveal()).toBe(url);
  });

  it('drains for at most SHUTDOWN_TIMEOUT_MS, 10 s by default', () => {
    expect(loadAppConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(loadAppConfig({ SHUTDOWN_TIMEOUT_MS: '5000' }).shutdownTimeoutMs).toBe(5_000);
  });

  it('logs at info, pretty in development and JSON in production, unless LOG_LEVEL and LOG_FORMAT say otherwise', () => {
    expect(loadAppConfig({}).logging).toEqual({ level: 'info', format: 'pretty' });
    expect(loadAppConfig({ NODE_ENV: 'production' }).logging).toEqual({ level: 'info', format: 'json' });
    expect(loadAppConfig({ NODE_ENV: 'production', LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' }).logging).toEqual({ level: 'debug', format: 'pretty' });
    expect(loadAppConfig({ LOG_LEVEL: 'silent', LOG_FORMAT: 'json' }).logging).toEqual({ level: 'silent', format: 'json' });
  });

  it('serves metrics on METRICS_PORT, 9464 by default; 0 turns the listener off', () => {
    expect(loadAppConfig({}).metricsPort).toBe(9464);
    expect(loadAppConfig({ METRICS_PORT: '9100' }).metricsPort).toBe(9100);
    expect(loadAppConfig({ METRICS_PORT: '0' }).metricsPort).toBeNull();
  });

  it('refuses METRICS_PORT equal to PORT: metrics are never served on the partner port', () => {
    expect(() => loadAppConfig({ PORT: '9464' })).toThrow('METRICS_PORT must differ from PORT (both 9464): metrics are never served on the partner port.');
    expect(loadAppConfig({ PORT: '9464', METRICS_PORT: '0' }).metricsPort).toBeNull();
  });

  it('logs a configuration error as every other line would be: JSON in production unless LOG_FORMAT says otherwise', () => {
    expect(loggingBeforeConfig({ NODE_ENV: 'production', PORT: 'x' })).toEqual({ level: 'info', format: 'json' });
    expect(loggingBeforeConfig({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' })).toEqual({ level: 'info', format: 'pretty' });
    expect(loggingBeforeConfig({ LOG_FORMAT: 'yaml' })).toEqual({ level: 'info', format: 'pretty' });
  });

  it.each(['0', '1', '65535'])('accepts PORT=%s', (port) => {
    expect(loadAppConfig({ PORT: port }).port).toBe(Number(port));
  });

  describe('bad configuration stops the start with one line', () => {
    it.each([
      ['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose".'],
      ['LOG_FORMAT', 'text', 'LOG_FORMAT must be one of json, pretty, got "text".'],
      ['METRICS_PORT', '70000', 'METRICS_PORT must be an integer from 0 (off) to 65535, got "70000".'],
      ['METRICS_PORT', 'on', 'METRICS_PORT must be an integer from 0 (off) to 65535, got "on".'],
    ])('refuses %s=%s', (name, value, message) => {
      expect(configErrorOf({ [name]: value }).message).toBe(message);
    });

    it.each(['abc', '70000', '65536', '-1', '80.5', '1e3', '0x50'])('refuses PORT=%s, naming PORT', (port) => {
      const error = configErrorOf({ PORT: port });
      expect(error.message).toContain('PORT');
      expect(error.message).not.toContain('\n');
    });

    it.each([
      ['API_KEYS_ENABLED', 'yes'],
      ['API_KEYS_ENABLED', '1'],
      ['ALLOW_TEST_KEYS', 'no'],
      ['ALLOW_TEST_KEYS', '0'],
      ['DB_MIGRATE_ON_START', 'off'],
      ['DB_MIGRATE_ON_START', 'truee'],
      ['SHUTDOWN_TIMEOUT_MS', '999'],
      ['SHUTDOWN_TIMEOUT_MS', '30s'],
    ])('refuses %s=%s, naming the variable', (name, value) => {
      const error = configErrorOf({ [name]: value });
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('\n');
    });

    it.each([
      ['a MySQL URL', 'mysql://app:hunter2@db.example.com/charthero'],
      ['an HTTP URL', 'http://app:hunter2@db.example.com/charthero'],
      ['a URL without a scheme', 'app:hunter2@db.example.com:5432/charthero'],
      ['text that is no URL', 'db.example.com app hunter2'],
      ['a URL with a non-numeric port', 'postgres://app:hunter2@db.example.com:port/charthero'],
      // libpq only knows postgres:// and postgresql:// URIs; without "//" the rest would become the database name.
      ['a postgres: URL without //', 'postgres:app:hunter2@db.example.com/charthero'],
    ])('refuses DATABASE_URL as %s without echoing its password', (_, url) => {
      const error = configErrorOf({ DATABASE_URL: url });
      expect(error.message).toContain('DATABASE_URL');
      expect(error.message).not.toContain('hunter2');
      expect(error.message).not.toContain('\n');
    });
  });

  describe('read replicas', () => {
    const primary = 'postgres://app:hunter2@db.example.com:5432/charthero';
    const replicas = (env: NodeJS.ProcessEnv) => {
      const database = loadAppConfig({ DATABASE_URL: primary, ...env }).database;
      if (database.kind !== 'postgres') throw new Error('expected PostgreSQL');
      return { urls: database.replicaUrls.map((url) => url.reveal()), maxLagMs: database.replicaMaxLagMs };
    };

    it('are none by default, with a lag bound of 1000 ms', () => {
      expect(replicas({})).toEqual({ urls: [], maxLagMs: 1_000 });
    });

    it('are read from DATABASE_REPLICA_URLS, comma-separated, spaces around them ignored; the bound from DATABASE_REPLICA_MAX_LAG_MS', () => {
      const env = { DATABASE_REPLICA_URLS: 'postgres://app:hunter2@replica-1:5432/charthero , postgres://app:hunter2@replica-2/charthero', DATABASE_REPLICA_MAX_LAG_MS: '250' };
      expect(replicas(env)).toEqual({ urls: ['postgres://app:hunter2@replica-1:5432/charthero', 'postgres://app:hunter2@replica-2/charthero'], maxLagMs: 250 });
    });

    it('need DATABASE_URL: the embedded database has no replicas', () => {
      expect(configErrorOf({ DATABASE_REPLICA_URLS: 'postgres://app@replica/charthero' }).message).toBe(
        'DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are standbys of a PostgreSQL primary, and the embedded database has none.',
      );
    });

    it.each([
      ['an empty item', `postgres://app:hunter2@replica-1/charthero,`, 'DATABASE_REPLICA_URLS must be comma-separated PostgreSQL URLs, with none empty.'],
      ['the same replica twice', 'postgres://app:hunter2@replica-1/charthero,postgres://app:hunter2@replica-1/charthero', 'DATABASE_REPLICA_URLS lists a replica twice.'],
      ['the primary', primary, 'DATABASE_REPLICA_URLS lists DATABASE_URL: the primary is read from anyway, and replicas are its standbys.'],
      ["a URL that is not PostgreSQL's", 'mysql://app:hunter2@replica-1/charthero', 'DATABASE_REPLICA_URLS must be URLs like postgres://user:password@host:5432/database.'],
    ])('are refused with %s, never echoing a password', (_, urls, message) => {
      const error = configErrorOf({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: urls });
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('hunter2');
    });

    it.each(['99', '600001', '1s', '-5'])('refuse DATABASE_REPLICA_MAX_LAG_MS=%s', (value) => {
      expect(configErrorOf({ DATABASE_URL: primary, DATABASE_REPLICA_MAX_LAG_MS: value }).message).toBe(
        `DATABASE_REPLICA_MAX_LAG_MS must be an integer from 100 to 600000, got "${value}".`,
      );
    });
  });

  describe('rate limits and the client address', () => {
    it('default to 6000 requests per key and 60 failed authentications per address a minute, counted in process; no proxy trusted', () => {
      const config = loadAppConfig({});
      expect(config.rateLimits).toEqual({ perKey: 6000, windowSeconds: 60, failedAuthPerAddress: 60, redisUrl: null, redisKeyPrefix: 'charthero:' });
      expect(config.trustProxy).toBe(false);
    });

    it('read each setting from its variable; 0 turns a budget off', () => {
      const config = loadAppConfig({
        RATE_LIMIT_PER_KEY: '0',
        RATE_LIMIT_WINDOW_SECONDS: '1',
        RATE_LIMIT_FAILED_AUTH_PER_IP: '5',
        REDIS_URL: 'rediss://app:hunter2@cache.example.com:6380/2',
        REDIS_KEY_PREFIX: 'staging:',
      });
      expect({ ...config.rateLimits, redisUrl: config.rateLimits.redisUrl?.reveal() }).toEqual({
        perKey: 0,
        windowSeconds: 1,
        failedAuthPerAddress: 5,
        redisUrl: 'rediss://app:hunter2@cache.example.com:6380/2',
        redisKeyPrefix: 'staging:',
      });
    });

    it.each([
      ['true', true],
      ['false', false],
      ['0', false],
      ['2', 2],
    ] as const)('reads TRUST_PROXY=%s as %s', (raw, trustProxy) => {
      expect(loadAppConfig({ TRUST_PROXY: raw }).trustProxy).toBe(trustProxy);
    });

    it.each([
      ['RATE_LIMIT_PER_KEY', '-1'],
      ['RATE_LIMIT_PER_KEY', '6k'],
      ['RATE_LIMIT_WINDOW_SECONDS', '0'],
      ['RATE_LIMIT_WINDOW_SECONDS', '86401'],
      ['RATE_LIMIT_FAILED_AUTH_PER_IP', 'many'],
      ['TRUST_PROXY', 'yes'],
      ['TRUST_PROXY', '11'],
      ['TRUST_PROXY', '10.0.0.0/8'],
      ['REDIS_URL', 'http://cache.example.com'],
      ['REDIS_URL', 'cache.example.com:6379'],
    ])('refuse %s=%s, naming the variable', (name, value) => {
      const error = configErrorOf({ [name]: value });
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('\n');
    });

    it('never echo the Redis URL they refuse (it may hold a password)', () => {
      expect(configErrorOf({ REDIS_URL: 'memcache://app:hunter2@cache.example.com' }).message).not.toContain('hunter2');
    });
  });

  describe('recordings', () => {
    it('default to the local store in .data/recordings, 900 s URLs on the request origin, a development secret', () => {
      const { recordings } = loadAppConfig({});
      expect(recordings).toMatchObject({ store: { kind: 'local', dir: '.data/recordings' }, audioUrlTtlSeconds: 900, mediaBaseUrl: null, usingDevelopmentMediaSecret: true });
      expect(recordings.mediaUrlSecret?.reveal()).toMatch(/\S{16,}/);
    });

    it('have no media URL secret in production unless one is configured (the audio route then answers 503)', () => {
      expect(loadAppConfig({ NODE_ENV: 'production' }).recordings).toMatchObject({ mediaUrlSecret: null, usingDevelopmentMediaSecret: false });
      const configured = loadAppConfig({ NODE_ENV: 'production', MEDIA_URL_SECRET: 'production-media-secret' }).recordings;
      expect(configured.mediaUrlSecret?.reveal()).toBe('production-media-secret');
      expect(configured.usingDevelopmentMediaSecret).toBe(false);
    });

    it('read each setting from its variable; MEDIA_BASE_URL is kept as an origin', () => {
      const { recordings } = loadAppConfig({ RECORDINGS_DIR: '/srv/recordings', AUDIO_URL_TTL_SECONDS: '3600', MEDIA_BASE_URL: 'https://media.example.com/' });
      expect(recordings).toMatchObject({ store: { kind: 'local', dir: '/srv/recordings' }, audioUrlTtlSeconds: 3600, mediaBaseUrl: 'https://media.example.com' });
    });

    it('read the S3 store, its region falling back to AWS_REGION', () => {
      expect(
        loadAppConfig({ RECORDINGS_STORE: 's3', S3_BUCKET: 'recordings', S3_REGION: 'eu-west-1', S3_ENDPOINT: 'http://127.0.0.1:9000/', S3_FORCE_PATH_STYLE: 'true' }).recordings
          .store,
      ).toEqual({ kind: 's3', bucket: 'recordings', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
      expect(loadAppConfig({ RECORDINGS_STORE: 's3', S3_BUCKET: 'recordings', AWS_REGION: 'us-east-2' }).recordings.store).toEqual({
        kind: 's3',
        bucket: 'recordings',
        region: 'us-east-2',
        endpoint: null,
        forcePathStyle: false,
      });
    });

    it.each([
      [{ AUDIO_URL_TTL_SECONDS: '0' }, 'AUDIO_URL_TTL_SECONDS'],
      [{ AUDIO_URL_TTL_SECONDS: '3601' }, 'AUDIO_URL_TTL_SECONDS'],
      [{ AUDIO_URL_TTL_SECONDS: '15m' }, 'AUDIO_URL_TTL_SECONDS'],
      [{ RECORDINGS_STORE: 'gcs' }, 'RECORDINGS_STORE'],
      [{ MEDIA_BASE_URL: 'media.example.com' }, 'MEDIA_BASE_URL'],
      [{ MEDIA_BASE_URL: 'ftp://media.example.com' }, 'MEDIA_BASE_URL'],
      [{ MEDIA_BASE_URL: 'https://media.example.com/prefix' }, 'MEDIA_BASE_URL'],
      [{ MEDIA_BASE_URL: 'https://user:pw@media.example.com' }, 'MEDIA_BASE_URL'],
      [{ RECORDINGS_STORE: 's3', S3_REGION: 'eu-west-1' }, 'S3_BUCKET'],
      [{ RECORDINGS_STORE: 's3', S3_BUCKET: 'recordings' }, 'S3_REGION'],
      [{ RECORDINGS_STORE: 's3', S3_BUCKET: 'recordings', S3_REGION: 'eu-west-1', S3_ENDPOINT: 'localhost:9000' }, 'S3_ENDPOINT'],
      [{ RECORDINGS_STORE: 's3', S3_BUCKET: 'recordings', S3_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'yes' }, 'S3_FORCE_PATH_STYLE'],
    ])('refuse %j, naming %s', (env, name) => {
      const error = configErrorOf(env);
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('\n');
    });
  });

  describe('webhooks', () => {
    it('default to a development key, a dispatcher in the server, the contract schedule and private targets allowed', () => {
      const { webhooks } = loadAppConfig({});
      expect(webhooks).toMatchObject({
        usingDevelopmentSecretKey: true,
        dispatch: true,
        retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
        allowPrivateTargets: true,
      });
      expect(Buffer.from(webhooks.secretKey!.reveal(), 'base64')).toHaveLength(32);
    });

    it('in production: no key unless configured, and public https targets only', () => {
      expect(loadAppConfig({ NODE_ENV: 'production' }).webhooks).toMatchObject({ secretKey: null, usingDevelopmentSecretKey: false, allowPrivateTargets: false });
      const key = Buffer.alloc(32, 7).toString('base64');
      const configured = loadAppConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEY: key }).webhooks;
      expect(configured.secretKey?.reveal()).toBe(key);
    });

    it('read each setting from its variable', () => {
      expect(loadAppConfig({ WEBHOOK_DISPATCH: 'false', WEBHOOK_RETRY_SCHEDULE: '1, 2,3', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' }).webhooks).toMatchObject({
        dispatch: false,
        retryScheduleSeconds: [1, 2, 3],
        allowPrivateTargets: false,
      });
    });

    it.each([
      [{ WEBHOOK_SECRET_KEY: Buffer.alloc(16).toString('base64') }, 'WEBHOOK_SECRET_KEY'],
      [{ WEBHOOK_SECRET_KEY: 'not base64 at all, but long enough to be 32 bytes' }, 'WEBHOOK_SECRET_KEY'],
      [{ WEBHOOK_RETRY_SCHEDULE: '5,,300' }, 'WEBHOOK_RETRY_SCHEDULE'],
      [{ WEBHOOK_RETRY_SCHEDULE: '0' }, 'WEBHOOK_RETRY_SCHEDULE'],
      [{ WEBHOOK_RETRY_SCHEDULE: '5m' }, 'WEBHOOK_RETRY_SCHEDULE'],
      [{ WEBHOOK_DISPATCH: 'sometimes' }, 'WEBHOOK_DISPATCH'],
      [{ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE_TARGETS'],
    ])('refuse %j, naming %s', (env, name) => {
      const error = configErrorOf(env);
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('\n');
    });

    it('never echo the key they refuse', () => {
      const almost = Buffer.alloc(31, 9).toString('base64');
      expect(configErrorOf({ WEBHOOK_SECRET_KEY: almost }).message).not.toContain(almost);
    });
  });

  describe('the digest secret never reaches a log line or a dump', () => {
    const configs = [
      ['configured', loadAppConfig({ API_KEY_DIGEST_SECRET: 'configured-digest-secret-value' })],
      ['development', loadAppConfig({})],
    ] as const;

    it.each(configs)('hides the %s secret from JSON.stringify, String() and util.inspect', (_, config) => {
      const secret = config.apiKeys.digestSecret;
      const value = secret?.reveal() ?? '';
      expect(value).not.toBe('');

      for (const rendering of [JSON.stringify(config), JSON.stringify(secret), String(secret), inspect(config, { depth: null, showHidden: true }), inspect(secret)]) {
        expect(rendering).not.toContain(value);
      }
    });
  });
});
