import { ApiKeysService } from '../../src/auth/api-keys.service';
import { PartnerAllowlistService } from '../../src/partner/partner-allowlist.service';
import { expectError } from '../support/error-body';
import { apiKey, bearer, organization } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { borrowed, createTestDatabase, TestDatabase } from '../support/test-database';

const LIST = '/external/v1/encounters';
/** The contract's bound for a change made elsewhere to reach an instance. */
const PROPAGATION_LIMIT_MS = 2_000;

/**
 * Keys and the allowlist are cached per instance. A change takes effect at once on the
 * instance that made it, and within 2 s on every other one: A's clock is moved 2 s on, and
 * by then it must refuse.
 */
describe('two app instances on one database', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = borrowed(database);
    a = await startTestApp({ database: shared });
    b = await startTestApp({ database: shared });
    await a.load({
      organizations: [organization('org_two'), organization('org_denied')],
      api_keys: [
        apiKey('key_to_revoke', 'org_two', 'ch_sk_two_instances_revoke'),
        apiKey('key_to_disable', 'org_two', 'ch_sk_two_instances_disable'),
        apiKey('key_of_denied', 'org_denied', 'ch_sk_two_instances_denied'),
      ],
    });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await database.drop();
  });

  const list = (app: TestApp, token: string) => app.http().get(LIST).set('Authorization', bearer(token));

  /** What instance A answers once the contract's bound has passed on its clock. */
  const listOnAOnceTheLimitHasPassed = (token: string) => {
    a.clock.advance(PROPAGATION_LIMIT_MS);
    return list(a, token);
  };

  it.each([
    ['revoked', 'key_to_revoke', 'ch_sk_two_instances_revoke', 'revoked_key'],
    ['disabled', 'key_to_disable', 'ch_sk_two_instances_disable', 'disabled_key'],
  ] as const)('a key %s on B is refused on B at once, and on A within 2 s', async (status, keyId, token, reasonCode) => {
    // Both instances have the key cached as active.
    expect((await list(a, token)).status).toBe(200);
    expect((await list(b, token)).status).toBe(200);

    await b.app.get(ApiKeysService).changeStatus(keyId, status);

    expectError(await list(b, token), 401, reasonCode);
    expectError(await listOnAOnceTheLimitHasPassed(token), 401, reasonCode);
  });

  it('an organization denied on B is refused on B at once, and on A within 2 s', async () => {
    const token = 'ch_sk_two_instances_denied';
    expect((await list(a, token)).status).toBe(200);
    expect((await list(b, token)).status).toBe(200);

    await b.app.get(PartnerAllowlistService).deny('org_denied');

    expectError(await list(b, token), 403, 'organization_not_allowlisted');
    expectError(await listOnAOnceTheLimitHasPassed(token), 403, 'organization_not_allowlisted');
  });
});
