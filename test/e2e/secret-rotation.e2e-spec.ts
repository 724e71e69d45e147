/**
 * Rotating the secrets at rest without downtime (docs/operations.md "Rotating secrets"): each
 * goes old secret → both (the new one, the old as `…_PREVIOUS`) → new secret alone, and the
 * operator can tell when the previous one may go.
 */
import { createHmac } from 'node:crypto';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { type CliScenario, createCliScenario, runCliHere } from '../support/cli-scenario';
import { expectError } from '../support/error-body';
import { apiKey, bearer, organization } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { webhookEndpoint } from '../support/webhooks';

const DIGEST_SECRET = { old: 'rotation-digest-secret-old-5c1e', new: 'rotation-digest-secret-new-a94b' };
const WEBHOOK_KEY = {
  old: Buffer.alloc(32, 'o').toString('base64'),
  new: Buffer.alloc(32, 'n').toString('base64'),
};
const PHASES = {
  old: { API_KEY_DIGEST_SECRET: DIGEST_SECRET.old, WEBHOOK_SECRET_KEY: WEBHOOK_KEY.old },
  both: {
    API_KEY_DIGEST_SECRET: DIGEST_SECRET.new,
    API_KEY_DIGEST_SECRET_PREVIOUS: DIGEST_SECRET.old,
    WEBHOOK_SECRET_KEY: WEBHOOK_KEY.new,
    WEBHOOK_SECRET_KEY_PREVIOUS: WEBHOOK_KEY.old,
  },
  new: { API_KEY_DIGEST_SECRET: DIGEST_SECRET.new, WEBHOOK_SECRET_KEY: WEBHOOK_KEY.new },
  /** A key that never encrypted anything here. */
  unrelated: { API_KEY_DIGEST_SECRET: DIGEST_SECRET.new, WEBHOOK_SECRET_KEY: Buffer.alloc(32, 'u').toString('base64') },
};
type Phase = keyof typeof PHASES;

const USED_TOKEN = 'ch_sk_rotation_used_during_rotation';
const IDLE_TOKEN = 'ch_sk_rotation_idle_during_rotation';
const SIGNING_SECRET = 'whsec_rotation_known_signing_secret_0123456789';

describe('rotating the secrets at rest', () => {
  let scenario: CliScenario;

  beforeAll(async () => {
    scenario = await createCliScenario({ env: PHASES.old });
    const fixture = await scenario.file('rotation.json', {
      organizations: [organization('org_rot')],
      api_keys: [apiKey('key_used', 'org_rot', USED_TOKEN), apiKey('key_idle', 'org_rot', IDLE_TOKEN)],
      webhook_endpoints: [webhookEndpoint('whe_rot', 'org_rot', 'http://127.0.0.1:9/hooks', SIGNING_SECRET)],
    });
    expect(await scenario.cli('fixtures', 'load', fixture)).toMatchObject({ code: 0 });
  });
  afterAll(() => scenario.close());

  const cli = (phase: Phase, ...args: string[]) => runCliHere(args, { ...scenario.env, ...PHASES[phase] });
  const withApp = async <T>(phase: Phase, work: (t: TestApp) => Promise<T>): Promise<T> => {
    const t = await startTestApp({ database: scenario.database, env: { ...PHASES[phase], RECORDINGS_DIR: scenario.env.RECORDINGS_DIR } });
    try {
      return await work(t);
    } finally {
      await t.close();
    }
  };
  /** key id → DIGEST_SECRET column of `keys list`. */
  const digestSecrets = async (phase: Phase): Promise<Record<string, string>> => {
    const { code, stdout } = await cli(phase, 'keys', 'list', '--org', 'org_rot');
    expect(code).toBe(0);
    const [header, ...rows] = stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(header.at(-1)).toBe('DIGEST_SECRET');
    return Object.fromEntries(rows.map((row) => [row[0], row.at(-1)!]));
  };
  const list = (t: TestApp, token: string) => t.http().get('/external/v1/encounters').set('Authorization', bearer(token));
  const signingSecrets = (t: TestApp) =>
    t.app
      .get(WebhookEndpointsService)
      .requireEndpoint('whe_rot')
      .then((endpoint) => t.app.get(WebhookEndpointsService).signingSecretsOf(endpoint));

  it('API_KEY_DIGEST_SECRET: a key digested under the previous secret is accepted and re-digested on use; keys list shows which are left', async () => {
    expect(await digestSecrets('old')).toEqual({ key_used: 'current', key_idle: 'current' });

    // Both: the new secret, and the old as the previous one.
    expect(await digestSecrets('both')).toEqual({ key_used: 'previous', key_idle: 'previous' });
    await withApp('both', async (t) => {
      expect((await list(t, USED_TOKEN)).status).toBe(200);
      const [{ token_digest }] = await t.dataSource.query<{ token_digest: string }[]>(`SELECT token_digest FROM api_keys WHERE key_id = 'key_used'`);
      expect(token_digest).toBe(createHmac('sha256', DIGEST_SECRET.new).update(USED_TOKEN).digest('hex'));
      // Used again (and from the cache): still the same key.
      expect((await list(t, USED_TOKEN)).status).toBe(200);
    });
    expect(await digestSecrets('both')).toEqual({ key_used: 'current', key_idle: 'previous' });

    // The new secret alone: a key used during the rotation works; one that was not, no longer
    // (which is what keys list warned of), and shows as under neither secret.
    await withApp('new', async (t) => {
      expect((await list(t, USED_TOKEN)).status).toBe(200);
      expectError(await list(t, IDLE_TOKEN), 401, 'invalid_key');
    });
    expect(await digestSecrets('new')).toEqual({ key_used: 'current', key_idle: 'unknown' });
  });

  it('WEBHOOK_SECRET_KEY: stored signing secrets still decrypt under the previous key, until webhooks rekey re-encrypts them and says how many', async () => {
    await withApp('old', async (t) => expect(await signingSecrets(t)).toEqual([SIGNING_SECRET]));
    await withApp('both', async (t) => expect(await signingSecrets(t)).toEqual([SIGNING_SECRET]));
    // Without the previous key, before the rekey, the secret cannot be read.
    await withApp('new', async (t) => expect(signingSecrets(t)).rejects.toThrow());

    expect(await cli('both', 'webhooks', 'rekey')).toEqual({
      code: 0,
      stdout: 'Re-encrypted 1 signing secret(s) under WEBHOOK_SECRET_KEY; 0 already were. None is left under WEBHOOK_SECRET_KEY_PREVIOUS: it can be removed.\n',
      stderr: '',
    });
    expect((await cli('both', 'webhooks', 'rekey')).stdout).toMatch(/^Re-encrypted 0 signing secret\(s\) under WEBHOOK_SECRET_KEY; 1 already were\./);
    await withApp('new', async (t) => expect(await signingSecrets(t)).toEqual([SIGNING_SECRET]));
  });

  it('webhooks rekey refuses, by name and changing nothing, a secret under neither key', async () => {
    const before = await withApp('new', ({ dataSource }) => dataSource.query(`SELECT secret_ciphertext FROM webhook_endpoints ORDER BY endpoint_id`));
    const result = await cli('unrelated', 'webhooks', 'rekey');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^error: the signing secret of webhook endpoint whe_rot decrypts under neither WEBHOOK_SECRET_KEY nor WEBHOOK_SECRET_KEY_PREVIOUS; nothing was changed\n$/,
    );
    expect(await withApp('new', ({ dataSource }) => dataSource.query(`SELECT secret_ciphertext FROM webhook_endpoints ORDER BY endpoint_id`))).toEqual(before);
  });
});
