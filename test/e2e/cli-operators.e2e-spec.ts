import { ApiKeyDigestService } from '../../src/auth/api-key-digest.service';
import { SCOPES } from '../../src/auth/scopes';
import { PARTNER_ROUTE_IDS } from '../../src/partner/partner-routes';
import { CliScenario, createCliScenario, runCliHere } from '../support/cli-scenario';
import { expectError } from '../support/error-body';
import { apiKey, bearer, ENCOUNTER_SCOPES, organization } from '../support/fixtures';
import { type CliResult, runCliProcess } from '../support/cli-process';

const LIFECYCLE_TOKENS = { key_cycle: 'ch_sk_seed_cycle_key', key_retire: 'ch_sk_seed_retire_key' };
const ROUTES_TOKEN = 'ch_sk_seed_routes_key';
const DENIED_TOKEN = 'ch_sk_seed_denied_key';

/** What every test starts from. Each test works on records of its own, so none depends on another's changes. */
const SEED = {
  organizations: [organization('org_seed'), organization('org_plain', { partnerRoutes: null }), organization('org_routes'), organization('org_denied')],
  api_keys: [
    apiKey('key_active', 'org_seed', 'ch_sk_seed_active_key'),
    apiKey('key_disabled', 'org_seed', 'ch_sk_seed_disabled_key', { status: 'disabled' }),
    apiKey('key_revoked', 'org_seed', 'ch_sk_seed_revoked_key', { status: 'revoked' }),
    apiKey('key_cycle', 'org_seed', LIFECYCLE_TOKENS.key_cycle, { scopes: ENCOUNTER_SCOPES }),
    apiKey('key_retire', 'org_seed', LIFECYCLE_TOKENS.key_retire, { scopes: ENCOUNTER_SCOPES, status: 'disabled' }),
    apiKey('key_routes', 'org_routes', ROUTES_TOKEN),
    apiKey('key_denied', 'org_denied', DENIED_TOKEN),
  ],
};

const KNOWN_ROUTES = `(known: ${PARTNER_ROUTE_IDS.join(', ')})`;
const KNOWN_SCOPES = `(known: ${SCOPES.join(', ')})`;
const CREATED_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;
const KEY_LIST_HEADER = ['KEY_ID', 'PREFIX', 'SCOPE_TYPE', 'SCOPES', 'STATUS', 'EXPIRES_AT', 'LAST_USED_AT', 'CREATED_AT', 'DIGEST_SECRET'];

/** The operator CLI (docs/operations.md): `orgs`, `partners` and `keys`, run as `npm run cli` runs them, then checked at the API. */
describe('npm run cli: organizations, partners and keys', () => {
  let scenario: CliScenario;
  const cli = (...args: string[]) => scenario.cli(...args);

  beforeAll(async () => {
    scenario = await createCliScenario();
    expect(await cli('fixtures', 'load', await scenario.file('seed.json', SEED))).toMatchObject({ code: 0, stderr: '' });
  });
  afterAll(() => scenario.close());

  /** What partners holding these tokens get from the list route on this database, in order. */
  const listWith = (...tokens: string[]) =>
    scenario.withApp(async (t) => {
      const responses = [];
      for (const token of tokens) responses.push(await t.http().get('/external/v1/encounters').set('Authorization', bearer(token)));
      return responses;
    });

  /** Each command must exit 1 with exactly its one-line reason on stderr, and all of them together change nothing. */
  const expectRefused = async (cases: ReadonlyArray<readonly [string[], string]>) => {
    const before = await scenario.operatorTables();
    const results = [];
    for (const [args] of cases) results.push({ args, ...(await cli(...args)) });
    expect(results).toEqual(cases.map(([args, reason]) => ({ args, code: 1, stdout: '', stderr: `error: ${reason}\n` })));
    expect(await scenario.operatorTables()).toEqual(before);
  };

  it('orgs create, partners allow and keys create onboard a partner whose key works at the API', async () => {
    expect(await cli('orgs', 'create', '--id', 'org_ops', '--name', 'Ops Clinic')).toEqual(
      succeeded('Created organization org_ops ("Ops Clinic"), API keys enabled, not a partner yet.'),
    );
    expect(await cli('partners', 'allow', 'org_ops', '--routes', 'encounters.list,encounters.read,documents.read')).toEqual(
      succeeded('Allowlisted org_ops for encounters.list, encounters.read, documents.read (not a partner before).'),
    );
    const orgKey = issuedKey(await cli('keys', 'create', '--org', 'org_ops', '--scopes', ENCOUNTER_SCOPES.join(',')), 'org_ops');
    const userKey = issuedKey(
      await cli('keys', 'create', '--org', 'org_ops', '--scopes', ENCOUNTER_SCOPES.join(','), '--scope-type', 'user', '--expires-at', '2099-01-01T00:00:00+02:00'),
      'org_ops',
    );

    const list = await cli('keys', 'list', '--org', 'org_ops');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    for (const { token } of [orgKey, userKey]) expect(list.stdout).not.toContain(secretPartOf(token));
    expect(tableOf(list.stdout)).toEqual([
      KEY_LIST_HEADER,
      [orgKey.keyId, displayPrefix(orgKey.token), 'organization', ENCOUNTER_SCOPES.join(','), 'active', '-', '-', expect.stringMatching(CREATED_AT), 'current'],
      [userKey.keyId, displayPrefix(userKey.token), 'user', ENCOUNTER_SCOPES.join(','), 'active', '2098-12-31T22:00:00Z', '-', expect.stringMatching(CREATED_AT), 'current'],
    ]);

    await scenario.withApp(async (t) => {
      const listed = await t.http().get('/external/v1/encounters').set('Authorization', bearer(orgKey.token));
      expect({ status: listed.status, body: listed.body }).toEqual({ status: 200, body: { items: [], limit: 50, offset: 0, total: 0 } });
      expectError(await t.http().get('/external/v1/encounters').set('Authorization', bearer(userKey.token)), 403, 'org_scope_only_required');

      // Stored as the keyed digest and the display prefix only: the secret part is nowhere in the row.
      const rows = await t.dataSource.query('SELECT * FROM api_keys WHERE organization_id = $1 ORDER BY created_at', ['org_ops']);
      const digests = t.app.get(ApiKeyDigestService);
      expect(rows.map((row: { token_digest: string }) => row.token_digest)).toEqual([digests.digest(orgKey.token).digest, digests.digest(userKey.token).digest]);
      for (const { token } of [orgKey, userKey]) expect(JSON.stringify(rows)).not.toContain(secretPartOf(token));
      for (const row of rows) expect(list.stdout).not.toContain(row.token_digest);
    });
  });

  it('keys disable, enable and revoke: the API answers disabled_key, then 200 again, and revoked_key', async () => {
    const { key_cycle: cycle, key_retire: retire } = LIFECYCLE_TOKENS;
    expect(await cli('keys', 'disable', 'key_cycle')).toEqual(succeeded('Disabled key key_cycle of org_seed (was active).'));
    const [disabled] = await listWith(cycle);
    expectError(disabled, 401, 'disabled_key');

    expect(await cli('keys', 'enable', 'key_cycle')).toEqual(succeeded('Enabled key key_cycle of org_seed (was disabled).'));
    // A disabled key can be revoked too (key_retire starts disabled).
    expect(await cli('keys', 'revoke', 'key_retire')).toEqual(succeeded('Revoked key key_retire of org_seed (was disabled); revocation is permanent.'));
    const [enabled, revoked] = await listWith(cycle, retire);
    expect(enabled.status).toBe(200);
    expectError(revoked, 401, 'revoked_key');
  });

  it('partners allow replaces the routes of a partner, and partners deny takes one off the allowlist', async () => {
    expect(await cli('partners', 'allow', 'org_routes', '--routes', 'documents.read, encounters.read,documents.read')).toEqual(
      succeeded(`Allowlisted org_routes for documents.read, encounters.read (before: ${PARTNER_ROUTE_IDS.join(', ')}).`),
    );
    expect(await cli('partners', 'deny', 'org_denied')).toEqual(succeeded('Removed org_denied from the partner allowlist.'));
    const [narrowed, denied] = await listWith(ROUTES_TOKEN, DENIED_TOKEN);
    expectError(narrowed, 403, 'route_not_allowed');
    expectError(denied, 403, 'organization_not_allowlisted');
  });

  it('orgs create refuses a missing or empty id or name, and an existing id', async () => {
    await expectRefused([
      [['orgs', 'create', '--name', 'Clinic'], '--id is required'],
      [['orgs', 'create', '--id', '', '--name', 'Clinic'], 'the organization id must not be empty'],
      [['orgs', 'create', '--id', 'org_new', '--name', '  '], 'the organization name must not be empty'],
      [['orgs', 'create', '--id', 'org_seed', '--name', 'Clinic'], 'organization "org_seed" already exists'],
    ]);
  });

  it('partners allow and deny refuse unknown organizations and route ids, no route, and a non-partner', async () => {
    await expectRefused([
      [['partners', 'allow', 'org_nope', '--routes', 'encounters.list'], 'unknown organization "org_nope"'],
      [['partners', 'allow', 'org_plain', '--routes', 'encounters.list,encounters.delete'], `unknown route id "encounters.delete" ${KNOWN_ROUTES}`],
      [['partners', 'allow', 'org_plain', '--routes', ''], `at least one route id is required ${KNOWN_ROUTES}`],
      [['partners', 'deny', 'org_nope'], 'unknown organization "org_nope"'],
      [['partners', 'deny', 'org_plain'], 'organization "org_plain" is not a partner'],
    ]);
  });

  it('keys create and keys list refuse unknown organizations, scopes and scope types, and bad expiries', async () => {
    const create = (...args: string[]) => ['keys', 'create', '--org', 'org_seed', ...args];
    await expectRefused([
      [['keys', 'create', '--org', 'org_nope', '--scopes', 'encounters:read'], 'unknown organization "org_nope"'],
      [create('--scopes', 'encounters:read,encounters:write'), `unknown scope "encounters:write" ${KNOWN_SCOPES}`],
      [create('--scopes', ','), `at least one scope is required ${KNOWN_SCOPES}`],
      [
        create('--scopes', 'encounters:read', '--expires-at', '2099-01-01T00:00:00'),
        '--expires-at "2099-01-01T00:00:00" is not an RFC 3339 date-time with an offset, like 2027-01-01T00:00:00Z',
      ],
      [create('--scopes', 'encounters:read', '--expires-at', '2020-01-01T00:00:00+01:00'), 'expires_at 2019-12-31T23:00:00Z is not in the future'],
      [create('--scopes', 'encounters:read', '--scope-type', 'admin'), 'unknown scope type "admin" (known: organization, user, platform)'],
      [['keys', 'list', '--org', 'org_nope'], 'unknown organization "org_nope"'],
    ]);
  });

  it('keys revoke, disable and enable refuse unknown keys, revoked keys and no-op changes', async () => {
    await expectRefused([
      [['keys', 'revoke', 'key_nope'], 'unknown key "key_nope"'],
      [['keys', 'revoke', 'key_revoked'], 'key "key_revoked" is already revoked'],
      [['keys', 'disable', 'key_revoked'], 'key "key_revoked" is revoked, and revocation is permanent'],
      [['keys', 'enable', 'key_revoked'], 'key "key_revoked" is revoked, and revocation is permanent'],
      [['keys', 'disable', 'key_disabled'], 'key "key_disabled" is already disabled'],
      [['keys', 'enable', 'key_active'], 'key "key_active" is already active'],
      // Two ids: acting on the first alone would surprise the operator.
      [['keys', 'revoke', 'key_active', 'key_disabled'], 'unexpected argument "key_disabled"'],
    ]);
  });

  it('says in one line when the database cannot be reached, as a process that exits 1', async () => {
    // Nothing listens on port 1: the connection is refused at once.
    expect(await runCliProcess(['keys', 'list', '--org', 'org_seed'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/charthero' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: cannot reach the database (check DATABASE_URL).\n',
    });
  });

  it('checks its arguments before it opens the database: a refusal needs none', async () => {
    const unreachable = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/charthero' };
    for (const [args, reason] of [
      [['orgs', 'create', '--name', 'Clinic'], '--id is required'],
      [
        ['keys', 'create', '--org', 'org_seed', '--scopes', 'encounters:read', '--expires-at', 'tomorrow'],
        '--expires-at "tomorrow" is not an RFC 3339 date-time with an offset, like 2027-01-01T00:00:00Z',
      ],
      [['keys', 'revoke', 'key_a', 'key_b'], 'unexpected argument "key_b"'],
      [['audit', 'list', '--org', 'org_seed', '--format', 'xml'], '--format must be one of table, jsonl, csv, got "xml"'],
    ] as const) {
      expect({ args, ...(await runCliHere([...args], unreachable)) }).toEqual({ args, code: 1, stdout: '', stderr: `error: ${reason}\n` });
    }
  });
});

function succeeded(line: string): CliResult {
  return { code: 0, stdout: `${line}\n`, stderr: '' };
}

/** The key id and token `keys create` printed, after checking the whole line. */
function issuedKey(result: CliResult, organizationId: string): { keyId: string; token: string } {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const line = new RegExp(
    `^Created key (key_[A-Za-z0-9]{16}) for ${organizationId}\\. Token, shown this once only and never again \\(store it now\\): (ch_sk_[A-Za-z0-9]{32})\\n$`,
  );
  const match = line.exec(result.stdout);
  expect(match).not.toBeNull();
  return { keyId: match![1], token: match![2] };
}

/** `keys list` output as cells (no cell holds a space). */
function tableOf(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ +/));
}

function displayPrefix(token: string): string {
  return `${token.slice(0, 'ch_sk_'.length + 4)}…`;
}

/** What no listing or row may show: the token past its display prefix. */
function secretPartOf(token: string): string {
  return token.slice('ch_sk_'.length + 4);
}
