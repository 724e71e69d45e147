import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/database/migrations';
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';
import { runCli } from '../support/run-cli';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, usingPostgres } from '../support/test-database';

// Every CLI run is a process that opens the database: allow for a loaded 2-core CI machine.
jest.setTimeout(180_000);

const TOKEN = 'ch_sk_cli_loaded_key';

const VALID = {
  organizations: [organization('org_cli')],
  api_keys: [apiKey('key_cli', 'org_cli', TOKEN)],
  patients: [patient('pat_cli', 'org_cli')],
  encounters: [encounter('enc_cli', 'org_cli', 'pat_cli', '2026-05-25T14:00:00Z')],
};

/** The operator CLI (docs/operations.md): `db migrate`, `db recount` and `fixtures load FILE [--reset]`, run as processes. */
describe('npm run cli', () => {
  let database: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'charthero-cli-'));
    // The embedded database must live on disk here: every CLI run is its own process.
    database = usingPostgres() ? await createTestDatabase() : { env: { PGLITE_DATA_DIR: join(workDir, 'pglite') }, drop: async () => undefined };
  });
  afterAll(async () => {
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  const file = async (name: string, content: unknown) => {
    const path = join(workDir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const cli = (...args: string[]) => runCli(args, database.env);

  /** Boots the HTTP app on this database for `work` (the embedded one: never while a CLI runs). */
  const withApp = async <T>(work: (t: TestApp) => Promise<T>): Promise<T> => {
    const t = await startTestApp({ database: { env: database.env, drop: async () => undefined } });
    try {
      return await work(t);
    } finally {
      await t.close();
    }
  };
  /** What a partner sees through the API on this database: the status of listing with `token`. */
  const listStatus = (token: string) => withApp(async (t) => (await t.http().get('/external/v1/encounters').set('Authorization', bearer(token))).status);

  it('refuses to load fixtures before the schema is migrated', async () => {
    const result = await cli('fixtures', 'load', await file('valid.json', VALID));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: the database has pending migrations: run `npm run cli -- db migrate` first.');
  });

  it('db migrate applies the migrations once', async () => {
    const first = await cli('db', 'migrate');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(`Applied ${MIGRATIONS.length} migration(s): ${MIGRATIONS.map((migration) => migration.name).join(', ')}.\n`);
    expect(await cli('db', 'migrate')).toMatchObject({ code: 0, stdout: 'Database is up to date.\n' });
  });

  it('fixtures load loads a file, whose keys then work at the API', async () => {
    const result = await cli('fixtures', 'load', await file('valid.json', VALID));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('1 organizations, 1 API keys, 1 patients, 1 encounters, 0 documents');
    expect(await listStatus(TOKEN)).toBe(200);
  });

  describe('db recount', () => {
    /** The list's `total` with the loaded key, as a partner sees it. */
    const listedTotal = () => withApp(async (t) => (await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))).body.total);

    it('finds every count exact after writes the triggers saw, and says so', async () => {
      expect(await cli('db', 'recount')).toEqual({ code: 0, stdout: 'Recounted the listed encounters of 1 organization(s): every count was exact.\n', stderr: '' });
      expect(await listedTotal()).toBe(1);
    });

    it('puts the counts right after encounters were bulk-loaded with the triggers off', async () => {
      await withApp(async (t) => {
        await t.dataSource.query('ALTER TABLE encounters DISABLE TRIGGER USER');
        await t.dataSource.query(
          `INSERT INTO encounters (encounter_id, organization_id, patient_id, encounter_type, status, purpose, created_at, updated_at)
           SELECT 'enc_bulk_' || n, 'org_cli', 'pat_cli', 'ambient', 'completed', 'clinical', now(), now() FROM generate_series(1, 2) n`,
        );
        await t.dataSource.query('ALTER TABLE encounters ENABLE TRIGGER USER');
      });
      expect(await listedTotal()).toBe(1);

      expect(await cli('db', 'recount')).toEqual({
        code: 0,
        stdout: 'Recounted the listed encounters of 1 organization(s): corrected 1 (org_cli: 1 → 3).\n',
        stderr: '',
      });
      expect(await listedTotal()).toBe(3);
    });

    it('refuses an extra argument with one line, and changes nothing', async () => {
      expect(await cli('db', 'recount', 'org_cli')).toEqual({ code: 1, stdout: '', stderr: 'error: unexpected argument "org_cli"\n' });
    });
  });

  it.each([
    ['an unknown field', { organizations: [{ ...organization('org_new'), colour: 'blue' }] }, 'organizations[1] (org_new): property colour should not exist'],
    ['a dangling reference', { encounters: [encounter('enc_x', 'org_cli', 'pat_missing', '2026-05-25T14:00:00Z')] }, 'encounters[0] (enc_x): patient "pat_missing" does not exist'],
    ['a duplicate id', { patients: [patient('pat_a', 'org_cli'), patient('pat_a', 'org_cli')] }, 'patients[1] (pat_a): duplicate patient_id "pat_a"'],
    ['an id already loaded', { organizations: [organization('org_cli')] }, 'organizations[1] (org_cli): organization_id "org_cli" already exists in the database'],
  ])('rejects %s with one line naming the record, and loads nothing', async (_case, fixture, message) => {
    // Valid records come first: the whole file must be refused, not just the bad record.
    const withValidRecords = {
      ...fixture,
      organizations: [organization('org_partial'), ...((fixture as { organizations?: unknown[] }).organizations ?? [])],
      api_keys: [apiKey('key_partial', 'org_partial', 'ch_sk_cli_partial_key')],
    };
    const result = await cli('fixtures', 'load', await file('bad.json', withValidRecords));
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(await listStatus('ch_sk_cli_partial_key')).toBe(401);
  });

  it('rejects a missing file and a file that is not JSON', async () => {
    const missing = await cli('fixtures', 'load', join(workDir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.json: ENOENT\n$/);
    const notJson = await cli('fixtures', 'load', await file('broken.json', '{ "organizations": ['));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^error: .*broken\.json is not valid JSON/);
  });

  it('fixtures load --reset empties every table first', async () => {
    const other = {
      organizations: [organization('org_other')],
      api_keys: [apiKey('key_other', 'org_other', 'ch_sk_cli_other_key')],
    };
    const result = await cli('fixtures', 'load', await file('other.json', other), '--reset');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await listStatus('ch_sk_cli_other_key')).toBe(200);
    expect(await listStatus(TOKEN)).toBe(401);
  });
});
