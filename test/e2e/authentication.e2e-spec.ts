import { ApiKeyUsageRecorder } from '../../src/auth/api-key-usage-recorder.service';
import { expectError } from '../support/error-body';
import { apiKey, bearer, ENCOUNTER_SCOPES, organization } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const LIST = '/external/v1/encounters';
const TOKEN = 'ch_sk_auth_full_access';

/** Checks 1-4 of the order of checks: who is calling, with what key, for which route. */
describe('authentication and authorization (default deployment)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.load({
      organizations: [
        organization('org_auth'),
        organization('org_keys_off', { apiKeysEnabled: false }),
        organization('org_not_partner', { partnerRoutes: null }),
        organization('org_no_routes', { partnerRoutes: [] }),
        organization('org_list_only', { partnerRoutes: ['encounters.list'] }),
      ],
      api_keys: [
        apiKey('key_full', 'org_auth', TOKEN),
        apiKey('key_test', 'org_auth', 'ch_test_sk_auth_test_key'),
        apiKey('key_revoked', 'org_auth', 'ch_sk_auth_revoked_key', { status: 'revoked' }),
        apiKey('key_disabled', 'org_auth', 'ch_sk_auth_disabled_key', { status: 'disabled' }),
        apiKey('key_expired', 'org_auth', 'ch_sk_auth_expired_key', { expires_at: '2020-01-01T00:00:00Z' }),
        apiKey('key_future', 'org_auth', 'ch_sk_auth_expires_later', { expires_at: '2999-01-01T00:00:00+02:00' }),
        // Used by one test only: a key's use is recorded at most once a minute.
        apiKey('key_usage', 'org_auth', 'ch_sk_auth_usage_recorded'),
        apiKey('key_revoked_expired', 'org_auth', 'ch_sk_auth_revoked_and_expired', { status: 'revoked', expires_at: '2020-01-01T00:00:00Z' }),
        apiKey('key_user', 'org_auth', 'ch_sk_auth_user_scoped', { scope_type: 'user' }),
        apiKey('key_platform', 'org_auth', 'ch_sk_auth_platform_key', { scope_type: 'platform' }),
        apiKey('key_encounters_only', 'org_auth', 'ch_sk_auth_encounters_only', { scopes: ['encounters:read'] }),
        apiKey('key_documents', 'org_auth', 'ch_sk_auth_documents_scopes', { scopes: ['encounters:read', 'documents:read'] }),
        apiKey('key_org_off', 'org_keys_off', 'ch_sk_auth_org_keys_off'),
        apiKey('key_not_partner', 'org_not_partner', 'ch_sk_auth_not_partner'),
        apiKey('key_no_routes', 'org_no_routes', 'ch_sk_auth_no_routes'),
        apiKey('key_list_only', 'org_list_only', 'ch_sk_auth_list_only', { scopes: ENCOUNTER_SCOPES }),
      ],
    });
  });
  afterAll(() => t.close());

  const list = (authorization?: string) => {
    const req = t.http().get(LIST);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it('accepts a valid key, with a case-insensitive scheme', async () => {
    expect((await list(bearer(TOKEN))).status).toBe(200);
    expect((await list(`bearer ${TOKEN}`)).status).toBe(200);
    expect((await list(`BEARER ${TOKEN}`)).status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', `Basic ${TOKEN}`],
    ['the scheme alone', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['two spaces before the token', `Bearer  ${TOKEN}`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['the token alone', TOKEN],
  ])('missing_bearer: %s', async (_case, authorization) => {
    expectError(await list(authorization), 401, 'missing_bearer');
  });

  it.each([
    ['a tail shorter than 8', 'ch_sk_short'],
    ['a tail longer than 128', `ch_sk_${'a'.repeat(129)}`],
    ['a character outside [A-Za-z0-9_]', 'ch_sk_abcd-efgh-ijkl'],
    ['another prefix', 'sk_live_abcdefghijkl'],
    ['a test prefix without sk_', 'ch_test_abcdefghijkl'],
  ])('malformed_token: %s', async (_case, token) => {
    expectError(await list(bearer(token)), 401, 'malformed_token');
  });

  it('refuses two Authorization headers as ambiguous (400 invalid_request), whichever holds the valid key', async () => {
    for (const headers of [
      [bearer(TOKEN), bearer('ch_sk_auth_not_a_key_at_all')],
      [bearer('ch_sk_auth_not_a_key_at_all'), bearer(TOKEN)],
      [bearer(TOKEN), bearer(TOKEN)],
    ]) {
      // Supertest sends an array as repeated header lines (its types allow that for Cookie only).
      expectError(
        await t
          .http()
          .get(LIST)
          .set('Authorization', headers as unknown as string),
        400,
        'invalid_request',
      );
    }
  });

  it('accepts a tail of exactly 8 and of exactly 128 characters as well formed', async () => {
    expectError(await list(bearer('ch_sk_abcdefgh')), 401, 'invalid_key');
    expectError(await list(bearer(`ch_sk_${'a'.repeat(128)}`)), 401, 'invalid_key');
  });

  it('invalid_key: a well-formed token no key has', async () => {
    expectError(await list(bearer('ch_sk_example_123')), 401, 'invalid_key');
  });

  it('revoked_key, disabled_key, expired_key, and revoked before expired', async () => {
    expectError(await list(bearer('ch_sk_auth_revoked_key')), 401, 'revoked_key');
    expectError(await list(bearer('ch_sk_auth_disabled_key')), 401, 'disabled_key');
    expectError(await list(bearer('ch_sk_auth_expired_key')), 401, 'expired_key');
    expectError(await list(bearer('ch_sk_auth_revoked_and_expired')), 401, 'revoked_key');
    expect((await list(bearer('ch_sk_auth_expires_later'))).status).toBe(200);
  });

  it('api_keys_disabled: the key organization has API-key access switched off', async () => {
    expectError(await list(bearer('ch_sk_auth_org_keys_off')), 401, 'api_keys_disabled');
  });

  it('accepts test keys where the deployment allows them (the non-production default)', async () => {
    expect((await list(bearer('ch_test_sk_auth_test_key'))).status).toBe(200);
  });

  it.each([
    ['user', 'ch_sk_auth_user_scoped'],
    ['platform', 'ch_sk_auth_platform_key'],
  ])('org_scope_only_required: a %s-scoped key', async (_type, token) => {
    expectError(await list(bearer(token)), 403, 'org_scope_only_required');
  });

  it('organization_not_allowlisted: the organization is not a partner', async () => {
    expectError(await list(bearer('ch_sk_auth_not_partner')), 403, 'organization_not_allowlisted');
  });

  it('route_not_allowed: a partner with no routes, or without this route', async () => {
    expectError(await list(bearer('ch_sk_auth_no_routes')), 403, 'route_not_allowed');
    expect((await list(bearer('ch_sk_auth_list_only'))).status).toBe(200);
    expectError(await t.http().get(`${LIST}/enc_any`).set('Authorization', bearer('ch_sk_auth_list_only')), 403, 'route_not_allowed');
  });

  it('missing_scope lists every missing scope, sorted', async () => {
    expectError(await list(bearer('ch_sk_auth_encounters_only')), 403, 'missing_scope', {
      missingScopes: ['documents:read', 'patients:read'],
    });
    expectError(await list(bearer('ch_sk_auth_documents_scopes')), 403, 'missing_scope', { missingScopes: ['patients:read'] });
  });

  it('scopes are per route: the document route does not need patients:read', async () => {
    const response = await t.http().get(`${LIST}/enc_missing/documents/doc_missing`).set('Authorization', bearer('ch_sk_auth_documents_scopes'));
    expectError(response, 404, 'encounter_not_found');
  });

  it('expired_key once the clock passes a key’s expiry, to the second', async () => {
    const expiresAt = Math.ceil(t.clock.now() / 1000) * 1000 + 3_600_000;
    await t.load({ api_keys: [apiKey('key_expiring', 'org_auth', 'ch_sk_auth_expiring_key', { expires_at: new Date(expiresAt).toISOString() })] });
    expect((await list(bearer('ch_sk_auth_expiring_key'))).status).toBe(200);
    t.clock.freeze(expiresAt - 1);
    try {
      // Read again from the database, the key cache's second long past: valid a millisecond before.
      expect((await list(bearer('ch_sk_auth_expiring_key'))).status).toBe(200);
      t.clock.advance(1);
      expectError(await list(bearer('ch_sk_auth_expiring_key')), 401, 'expired_key');
    } finally {
      t.clock.thaw();
    }
  });

  it('records when a key was last used, in the background', async () => {
    const lastUsedAtOfKey = async () => {
      const [row] = await t.dataSource.query(`SELECT last_used_at FROM api_keys WHERE key_id = 'key_usage'`);
      return row.last_used_at as Date | null;
    };
    expect(await lastUsedAtOfKey()).toBeNull();
    const before = t.clock.now();
    expect((await list(bearer('ch_sk_auth_usage_recorded'))).status).toBe(200);
    await t.app.get(ApiKeyUsageRecorder).settled();
    const lastUsedAt = await lastUsedAtOfKey();
    expect(lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(lastUsedAt!.getTime()).toBeLessThanOrEqual(t.clock.now());
    // At most one write a minute per key: the next use within it changes nothing, one after it does.
    expect((await list(bearer('ch_sk_auth_usage_recorded'))).status).toBe(200);
    await t.app.get(ApiKeyUsageRecorder).settled();
    expect(await lastUsedAtOfKey()).toEqual(lastUsedAt);
    t.clock.advance(60_000);
    expect((await list(bearer('ch_sk_auth_usage_recorded'))).status).toBe(200);
    await t.app.get(ApiKeyUsageRecorder).settled();
    expect((await lastUsedAtOfKey())!.getTime()).toBeGreaterThanOrEqual(lastUsedAt!.getTime() + 60_000);
  });
});

describe('a deployment with API keys switched off (API_KEYS_ENABLED=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS_ENABLED: 'false' } });
    await t.load({ organizations: [organization('org_off')], api_keys: [apiKey('key_off', 'org_off', TOKEN)] });
  });
  afterAll(() => t.close());

  it('answers api_keys_disabled for a valid key, and before looking at the token', async () => {
    expectError(await t.http().get(LIST).set('Authorization', bearer(TOKEN)), 401, 'api_keys_disabled');
    expectError(await t.http().get(LIST).set('Authorization', bearer('not-even-a-token')), 401, 'api_keys_disabled');
    expectError(await t.http().get(LIST).set('Authorization', bearer('ch_test_sk_auth_test_key')), 401, 'api_keys_disabled');
  });

  it('still answers missing_bearer first', async () => {
    expectError(await t.http().get(LIST), 401, 'missing_bearer');
  });
});

describe('a deployment that refuses test keys (ALLOW_TEST_KEYS=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ALLOW_TEST_KEYS: 'false' } });
    await t.load({ organizations: [organization('org_t')], api_keys: [apiKey('key_t', 'org_t', 'ch_test_sk_auth_test_key')] });
  });
  afterAll(() => t.close());

  it('answers test_prefix_not_allowed for a test key, even one that exists, and before its format is checked', async () => {
    expectError(await t.http().get(LIST).set('Authorization', bearer('ch_test_sk_auth_test_key')), 401, 'test_prefix_not_allowed');
    expectError(await t.http().get(LIST).set('Authorization', bearer('ch_test_x')), 401, 'test_prefix_not_allowed');
  });
});

describe('production (NODE_ENV=production)', () => {
  describe('with a digest secret', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { NODE_ENV: 'production', API_KEY_DIGEST_SECRET: 'e2e-production-secret' } });
      await t.load({ organizations: [organization('org_p')], api_keys: [apiKey('key_p', 'org_p', TOKEN)] });
    });
    afterAll(() => t.close());

    it('refuses test keys by default', async () => {
      expectError(await t.http().get(LIST).set('Authorization', bearer('ch_test_sk_auth_test_key')), 401, 'test_prefix_not_allowed');
    });

    it('accepts its own keys', async () => {
      expect((await t.http().get(LIST).set('Authorization', bearer(TOKEN))).status).toBe(200);
    });
  });

  describe('without a digest secret', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { NODE_ENV: 'production' } });
    });
    afterAll(() => t.close());

    it('starts, and answers keyed requests 503 digest_key_unavailable with Retry-After', async () => {
      expectError(await t.http().get(LIST).set('Authorization', bearer(TOKEN)), 503, 'digest_key_unavailable');
    });

    it('checks the token format before the secret', async () => {
      expectError(await t.http().get(LIST).set('Authorization', bearer('ch_sk_short')), 401, 'malformed_token');
    });

    it('still serves health checks', async () => {
      const response = await t.http().get('/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });
  });
});
