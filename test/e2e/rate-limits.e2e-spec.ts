/**
 * Rate limits (docs/api.md "Rate limits"): a budget per key, checked right after
 * authentication; failed authentications limited per client address without a key lookup;
 * the IETF RateLimit fields on every partner response; counters shared through Redis by
 * several instances; and requests served when Redis cannot be reached. Each test spends keys
 * and addresses of its own, so no test sees another's counters.
 */
import { randomBytes } from 'node:crypto';
import { MetricsRegistry } from '../../src/metrics/metrics-registry';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';
import { pollUntil } from '../support/real-time';
import { describeWith, serviceUrl } from '../support/services';
import { startTcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { borrowed, createTestDatabase } from '../support/test-database';

const ORG = 'org_limits';
const LIST = '/external/v1/encounters';
const DETAIL = '/external/v1/encounters/enc_limits';

/** Keys `ch_sk_limits_<name>` of the organization, one (or more) for each test. */
const KEYS = [
  'counts',
  'bystander',
  'spent',
  'over',
  'over_user',
  'counted',
  'counted_marker',
  'remembered',
  'hops',
  'off',
  'shared',
  'shared_other',
  'redis_down',
  'redis_down_other',
  'redis_start',
];

const FIXTURE = {
  organizations: [organization(ORG), organization('org_limits_other')],
  api_keys: [
    ...KEYS.map((name) => apiKey(`key_limits_${name}`, ORG, `ch_sk_limits_${name}`, name === 'over_user' ? { scope_type: 'user' } : {})),
    apiKey('key_limits_revoked', ORG, 'ch_sk_limits_revoked', { status: 'revoked' }),
  ],
  patients: [patient('pat_limits', ORG)],
  encounters: [encounter('enc_limits', ORG, 'pat_limits', '2026-05-25T14:00:00Z')],
};

/** A Redis key prefix of this run's own: suites and runs never share counters. */
const redisPrefix = () => `charthero-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

async function startApp(env: Record<string, string>): Promise<TestApp> {
  const t = await startTestApp({ env });
  await t.load(FIXTURE);
  return t;
}

/** Two instances of the service on one database, as deployed. */
async function startTwoInstances(env: Record<string, string>): Promise<[TestApp, TestApp]> {
  const database = await createTestDatabase();
  const first = await startTestApp({ env, database });
  await first.load(FIXTURE);
  // (The embedded database is one per process: the second instance is on it too.)
  const second = await startTestApp({ env, database: borrowed(database) });
  return [first, second];
}

async function counterValue(t: TestApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = t.app.get(MetricsRegistry).getSingleMetric(name);
  const { values } = await metric!.get();
  return values.filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted)).reduce((sum, value) => sum + value.value, 0);
}

describe('rate limits', () => {
  describe('per key, in process', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ RATE_LIMIT_PER_KEY: '3', RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_FAILED_AUTH_PER_IP: '2' });
    });
    afterAll(() => t.close());

    const get = (path: string, token: string) => t.http().get(path).set('Authorization', bearer(token));
    const spend = async (token: string, requests: number) => {
      for (let spent = 0; spent < requests; spent += 1) await get(DETAIL, token).expect(200);
    };

    it('counts down in the RateLimit fields, then answers 429 rate_limited with Retry-After', async () => {
      for (const remaining of [2, 1, 0]) {
        const response = await get(DETAIL, 'ch_sk_limits_counts').expect(200);
        expect(response.headers['ratelimit-policy']).toBe('"per-key";q=3;w=60');
        expect(response.headers.ratelimit).toMatch(new RegExp(`^"per-key";r=${remaining};t=(60|[1-5]?\\d)$`));
      }
      const refused = await get(DETAIL, 'ch_sk_limits_counts');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ error: 'rate_limited', reason_code: 'rate_limited', message: expect.any(String), field: null, request_id: refused.headers['x-request-id'] });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.ratelimit).toBe(`"per-key";r=0;t=${retryAfter}`);
      expect(refused.headers['cache-control']).toBe('no-store');
      for (let again = 0; again < 3; again += 1) expect((await get(DETAIL, 'ch_sk_limits_counts').expect(429)).headers.ratelimit).toMatch(/^"per-key";r=0;t=\d+$/);
    });

    it('another key of the same organization is unaffected', async () => {
      await spend('ch_sk_limits_bystander', 1);
      await spend('ch_sk_limits_spent', 3);
      expect((await get(DETAIL, 'ch_sk_limits_spent')).status).toBe(429);
      await spend('ch_sk_limits_bystander', 2);
    });

    it('over budget is 429 before any 403, 400 or 422', async () => {
      // Three refusals spend the budget like successes…
      for (const status of [403, 403, 403]) expectError(await get(DETAIL, 'ch_sk_limits_over_user'), status, 'org_scope_only_required');
      // …and the fourth request is 429 whatever else is wrong with it.
      expect((await get(DETAIL, 'ch_sk_limits_over_user')).body.reason_code).toBe('rate_limited');
      await spend('ch_sk_limits_over', 3);
      for (const path of [`${LIST}?patient_id=x`, `${LIST}?limit=0`, '/external/v1/encounters/enc_nowhere']) {
        expect((await get(path, 'ch_sk_limits_over')).body.reason_code).toBe('rate_limited');
      }
    });

    it('a 429 is counted, and is not an audit record (no data was reached)', async () => {
      await spend('ch_sk_limits_counted', 3);
      const before = await counterValue(t, 'charthero_rate_limited_requests_total', { policy: 'per-key' });
      await get(DETAIL, 'ch_sk_limits_counted').set('X-Request-Id', 'limits-refused').expect(429);
      expect(await counterValue(t, 'charthero_rate_limited_requests_total', { policy: 'per-key' })).toBe(before + 1);
      // A later denial's record is written once the 429's would have been: records are written in the order of their answers.
      await get('/external/v1/encounters/enc_nowhere', 'ch_sk_limits_counted_marker').set('X-Request-Id', 'limits-later-denial').expect(404);
      const recordOf = (requestId: string) => t.dataSource.query(`SELECT 1 FROM phi_access_records WHERE request_id = $1`, [requestId]);
      await pollUntil(
        () => recordOf('limits-later-denial'),
        (rows) => rows.length === 1,
      );
      expect(await recordOf('limits-refused')).toEqual([]);
    });
  });

  describe('failed authentications, per client address', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ RATE_LIMIT_FAILED_AUTH_PER_IP: '3', TRUST_PROXY: '1' });
    });
    afterAll(() => t.close());

    const from = (address: string, token: string) => t.http().get(DETAIL).set('Authorization', bearer(token)).set('X-Forwarded-For', address);
    const keyLookups = () => counterValue(t, 'charthero_cache_lookups_total', { cache: 'api_keys' });
    const limitedByAddress = () => counterValue(t, 'charthero_rate_limited_requests_total', { policy: 'failed-auth' });
    /** Three failed authentications from `address`: its budget is spent. */
    const exhaust = async (address: string) => {
      for (let guess = 0; guess < 3; guess += 1) expectError(await from(address, `ch_sk_limits_guess_${address.replaceAll('.', '_')}_${guess}`), 401, 'invalid_key');
    };

    it('the N+1-th failed authentication from one address is 429, without a key lookup', async () => {
      for (const [token, reasonCode, remaining] of [
        ['ch_sk_limits_guess_0001', 'invalid_key', 2],
        ['ch_sk_limits_revoked', 'revoked_key', 1],
        ['ch_sk_limits_guess_0002', 'invalid_key', 0],
      ] as const) {
        const refused = await from('198.51.100.7', token);
        expectError(refused, 401, reasonCode);
        expect(refused.headers['ratelimit-policy']).toBe('"failed-auth";q=3;w=60');
        expect(refused.headers.ratelimit).toMatch(new RegExp(`^"failed-auth";r=${remaining};t=\\d+$`));
      }

      const [lookupsBefore, limitedBefore] = [await keyLookups(), await limitedByAddress()];
      const limited = await from('198.51.100.7', 'ch_sk_limits_guess_0003');
      expect(limited.status).toBe(429);
      expect(limited.body.reason_code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await keyLookups()).toBe(lookupsBefore);
      expect(await limitedByAddress()).toBe(limitedBefore + 1);
    });

    it('a key that authenticated before keeps working from that address', async () => {
      await from('198.51.100.10', 'ch_sk_limits_remembered').expect(200);
      await exhaust('198.51.100.10');
      expect((await from('198.51.100.10', 'ch_sk_limits_guess_after')).status).toBe(429);
      await from('198.51.100.10', 'ch_sk_limits_remembered').expect(200);
    });

    it('another address is unaffected; behind TRUST_PROXY=1 the address is X-Forwarded-For’s last hop', async () => {
      await exhaust('198.51.100.11');
      expectError(await from('198.51.100.8', 'ch_sk_limits_guess_0004'), 401, 'invalid_key');
      // The client's own claim before the proxy's entry is not believed with one trusted hop.
      expectError(await from('198.51.100.11, 198.51.100.12', 'ch_sk_limits_guess_0005'), 401, 'invalid_key');
      expect((await from('198.51.100.12, 198.51.100.11', 'ch_sk_limits_guess_0006')).status).toBe(429);
    });

    it('a missing or malformed token costs nothing, and says where the address stands', async () => {
      const response = await t.http().get(DETAIL).set('X-Forwarded-For', '198.51.100.20').set('Authorization', 'Bearer not-a-key');
      expectError(response, 401, 'malformed_token');
      expect(response.headers.ratelimit).toMatch(/^"failed-auth";r=3;t=\d+$/);
    });
  });

  // An app of its own: every request of the suite comes from the same peer, whose budget this spends.
  it('without TRUST_PROXY, X-Forwarded-For is ignored: the peer’s address is the one limited', async () => {
    const t = await startApp({ RATE_LIMIT_FAILED_AUTH_PER_IP: '2' });
    try {
      const get = (token: string, forwarded: string) => t.http().get(DETAIL).set('Authorization', bearer(token)).set('X-Forwarded-For', forwarded);
      for (const forwarded of ['203.0.113.1', '203.0.113.2']) {
        expectError(await get(`ch_sk_limits_guess_${forwarded.replaceAll('.', '_')}`, forwarded), 401, 'invalid_key');
      }
      expect((await get('ch_sk_limits_guess_other', '203.0.113.3')).status).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('0 turns a limit off: no RateLimit fields, no 429', async () => {
    const t = await startApp({ RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_FAILED_AUTH_PER_IP: '0' });
    try {
      for (let i = 0; i < 5; i += 1) {
        const response = await t.http().get(DETAIL).set('Authorization', bearer('ch_sk_limits_off')).expect(200);
        expect(response.headers.ratelimit).toBeUndefined();
        expect(response.headers['ratelimit-policy']).toBeUndefined();
        expectError(
          await t
            .http()
            .get(DETAIL)
            .set('Authorization', bearer(`ch_sk_limits_guess_${i}000`)),
          401,
          'invalid_key',
        );
      }
    } finally {
      await t.close();
    }
  });

  describeWith('redis', 'with REDIS_URL', () => {
    const redisUrl = () => serviceUrl('redis')!;

    it('two instances share one budget per key', async () => {
      const env = { REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: redisPrefix(), RATE_LIMIT_PER_KEY: '4' };
      const [first, second] = await startTwoInstances(env);
      try {
        const get = (t: TestApp) => t.http().get(DETAIL).set('Authorization', bearer('ch_sk_limits_shared'));
        const fields: string[] = [];
        for (const t of [first, second, first, second]) fields.push((await get(t).expect(200)).headers.ratelimit);
        expect(fields.map((field) => /;r=(\d+);/.exec(field)?.[1])).toEqual(['3', '2', '1', '0']);
        // Every refusal says none are left, not only the first (an instance answers the later
        // ones from its in-memory block of the key, which counted nothing).
        for (const t of [second, first, first, second, first]) {
          const refused = await get(t);
          expect(refused.status).toBe(429);
          expect(refused.headers.ratelimit).toMatch(/^"per-key";r=0;t=\d+$/);
        }
        // The other key's budget is its own, on both.
        await second.http().get(DETAIL).set('Authorization', bearer('ch_sk_limits_shared_other')).expect(200);
      } finally {
        await second.close();
        await first.close();
      }
    });

    it('Redis unreachable or silent: requests are served, and the failure is counted', async () => {
      const redis = new URL(redisUrl());
      const proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
      const t = await startApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: redisPrefix(), RATE_LIMIT_PER_KEY: '2' });
      const get = (token = 'ch_sk_limits_redis_down') => t.http().get(DETAIL).set('Authorization', bearer(token));
      try {
        // Until ioredis has connected (through the proxy, on its own), requests go unlimited.
        await pollUntil(get, (response) => response.headers.ratelimit !== undefined);
        await get();
        expect((await get()).status).toBe(429);

        // The other key has two requests left; with Redis gone it gets more, unlimited. (The
        // first stays refused until its window ends: this instance remembers it is over.)
        await proxy.refuse();
        for (let i = 0; i < 3; i += 1) {
          const response = await get('ch_sk_limits_redis_down_other').expect(200);
          expect(response.headers.ratelimit).toBeUndefined();
        }
        // Back, but silent: connections open and nothing ever answers. The command timeout
        // (250 ms, a real timer) is what is under test: the request does not wait longer.
        await proxy.restore();
        proxy.blackHole();
        const started = Date.now();
        await get('ch_sk_limits_redis_down_other').expect(200);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(await counterValue(t, 'charthero_rate_limit_store_errors_total')).toBeGreaterThanOrEqual(4);
      } finally {
        await t.close();
        await proxy.refuse();
      }
    });

    it('an unreachable Redis at start does not stop the service', async () => {
      const t = await startApp({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: redisPrefix(), RATE_LIMIT_PER_KEY: '1' });
      try {
        for (let i = 0; i < 3; i += 1) await t.http().get(DETAIL).set('Authorization', bearer('ch_sk_limits_redis_start')).expect(200);
      } finally {
        await t.close();
      }
    });
  });
});
