import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/database/migrations';
import { ROUTINES } from '../../src/database/routines';
import { createCliScenario, type CliScenario } from '../support/cli-scenario';
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';

const TOKEN = 'ch_sk_cli_loaded_key';
const PENDING_MIGRATIONS = 'error: the database has pending migrations: run `npm run cli -- db migrate` first.\n';

const VALID = {
  organizations: [organization('org_cli')],
  api_keys: [apiKey('key_cli', 'org_cli', TOKEN)],
  patients: [patient('pat_cli', 'org_cli')],
  encounters: [encounter('enc_cli', 'org_cli', 'pat_cli', '2026-05-25T14:00:00Z')],
};

/** The operator CLI (docs/operations.md): `db migrate`, `db recount` and `fixtures load FILE [--reset]`, run as `npm run cli` runs them. */
describe('npm run cli', () => {
  it('refuses every command on a database with pending migrations, until db migrate applies them, once', async () => {
    const scenario = await createCliScenario({ migrated: false });
    try {
      const valid = await scenario.file('valid.json', VALID);
      for (const args of [
        ['fixtures', 'load', valid],
        ['orgs', 'create', '--id', 'org_x', '--name', 'X'],
        ['keys', 'list', '--org', 'org_cli'],
        ['db', 'recount'],
      ]) {
        expect({ args, ...(await scenario.cli(...args)) }).toEqual({ args, code: 1, stdout: '', stderr: PENDING_MIGRATIONS });
      }
      // The first migration as an operator runs it: a process that exits 0, its lines on standard output.
      expect(await scenario.cliProcess('db', 'migrate')).toEqual({
        code: 0,
        stdout:
          `Applied ${MIGRATIONS.length} migration(s): ${MIGRATIONS.map((migration) => migration.name).join(', ')}.\n` +
          `Installed ${ROUTINES.length} routine(s): ${ROUTINES.map((routine) => routine.name).join(', ')}.\n`,
        stderr: '',
      });
      expect(await scenario.cli('db', 'migrate')).toEqual({ code: 0, stdout: 'Database is up to date.\n', stderr: '' });
      expect(await scenario.cli('fixtures', 'load', valid)).toMatchObject({ code: 0, stderr: '' });
    } finally {
      await scenario.close();
    }
  });

  describe('on a migrated database', () => {
    let scenario: CliScenario;
    const cli = (...args: string[]) => scenario.cli(...args);
    const file = (name: string, content: unknown) => scenario.file(name, content);
    const withApp: CliScenario['withApp'] = (work) => scenario.withApp(work);
    /** What a partner sees through the API on this database: the status of listing with `token`. */
    const listStatus = (token: string) => withApp(async (t) => (await t.http().get('/external/v1/encounters').set('Authorization', bearer(token))).status);
    /** The list's `total` with the loaded key, as a partner sees it. */
    const listedTotal = () => withApp(async (t) => (await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))).body.total);
    const startScenario = async () => {
      scenario = await createCliScenario();
      expect(await cli('fixtures', 'load', await file('valid.json', VALID))).toMatchObject({ code: 0, stderr: '' });
    };
    const closeScenario = () => scenario.close();

    // Refusals change nothing: they share one database.
    describe('refusals', () => {
      beforeAll(startScenario);
      afterAll(closeScenario);

      it.each([
        ['an unknown field', { organizations: [{ ...organization('org_new'), colour: 'blue' }] }, 'organizations[1] (org_new): property colour should not exist'],
        [
          'a dangling reference',
          { encounters: [encounter('enc_x', 'org_cli', 'pat_missing', '2026-05-25T14:00:00Z')] },
          'encounters[0] (enc_x): patient "pat_missing" does not exist',
        ],
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
        const missing = await cli('fixtures', 'load', join(tmpdir(), 'charthero-no-such-directory', 'nope.json'));
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/^error: cannot read .*nope\.json: ENOENT\n$/);
        const notJson = await cli('fixtures', 'load', await file('broken.json', '{ "organizations": ['));
        expect(notJson.code).toBe(1);
        expect(notJson.stderr).toMatch(/^error: .*broken\.json is not valid JSON/);
      });

      it('refuses an extra argument with one line, and changes nothing', async () => {
        expect(await cli('db', 'recount', 'org_cli')).toEqual({ code: 1, stdout: '', stderr: 'error: unexpected argument "org_cli"\n' });
      });
    });

    // These act on whole tables: each has a database of its own.
    describe('changes', () => {
      beforeEach(startScenario);
      afterEach(closeScenario);

      it('fixtures load loads a file, whose keys then work at the API', async () => {
        const result = await cli(
          'fixtures',
          'load',
          await file('more.json', { organizations: [organization('org_more')], api_keys: [apiKey('key_more', 'org_more', 'ch_sk_cli_more_key')] }),
        );
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toContain('1 organizations, 1 API keys, 0 patients, 0 encounters, 0 documents');
        expect(await listStatus('ch_sk_cli_more_key')).toBe(200);
        expect(await listStatus(TOKEN)).toBe(200);
      });

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
  });
});
