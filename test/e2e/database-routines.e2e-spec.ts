import { DataSource, type EntityManager } from 'typeorm';
import { EncounterReadFunctions1795610000000 } from '../../src/database/migrations/1795610000000-EncounterReadFunctions';
import { ROUTINES } from '../../src/database/routines';
import { migrateSchema } from '../../src/database/schema-migration';
import { ENCOUNTER_PURPOSES } from '../../src/encounters/encounter-types';
import { isListed, LISTED_ENCOUNTER_SQL } from '../../src/encounters/listed-encounter';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const TOKEN = 'ch_sk_routines_full_access';

/** Runs `work` in a transaction that is always rolled back: what it creates is only seen inside. */
async function rolledBack<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.startTransaction();
  try {
    return await work(runner.manager);
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

interface Definition {
  name: string;
  definition: string;
}

/** A function as PostgreSQL holds it, its schema left out: the whole of what it runs and returns. */
const FUNCTION_DEFINITION = `SELECT p.proname AS name, replace(pg_get_functiondef(p.oid), quote_ident(n.nspname) || '.', '') AS definition
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY p.proname`;

/**
 * The database objects against their one definition in the code (docs/development.md "Database
 * routines"): the routines deployed are exactly the modules' current text, and everything in the
 * database that decides whether an encounter is listed says it as `LISTED_ENCOUNTER_SQL`.
 *
 * Migrations stay as written, and some of them spell the predicate out (ListIndexOnClinicalEncounters,
 * ListedEncounterCounts, WebhookEvents, EncounterReadFunctions): they still agree because what they
 * left behind is checked here, not their text. Their functions are replaced by the routines right
 * after they run, and the partial index they made is compared with the predicate below.
 */
describe('database routines and the listed-encounter predicate', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(() => t.close());

  it('deploys every routine exactly as its module defines it, result columns included', async () => {
    const [deployed, expected] = await rolledBack(t.dataSource, async (manager) => {
      // Where the installer put them (it works in the connection's schema), then the definitions
      // created afresh in a schema of their own, as PostgreSQL normalizes them.
      const [{ schema }] = await manager.query<{ schema: string }[]>('SELECT current_schema() AS schema');
      await manager.query('CREATE SCHEMA routines_expected');
      await manager.query(`SET LOCAL search_path = routines_expected, ${schema}`);
      for (const routine of ROUTINES) await manager.query(routine.definition);
      return Promise.all([manager.query<Definition[]>(FUNCTION_DEFINITION, [schema]), manager.query<Definition[]>(FUNCTION_DEFINITION, ['routines_expected'])]);
    });
    expect(expected.map((row) => row.name)).toEqual(ROUTINES.map((routine) => routine.name).sort());
    expect(deployed.filter((row) => expected.some((routine) => routine.name === row.name))).toEqual(expected);
  });

  it('filters listed encounters one way: every partial index and every function in the database uses the predicate', async () => {
    const { normalized, indexes, functions } = await rolledBack(t.dataSource, async (manager) => {
      // The predicate as PostgreSQL stores an index predicate: made once here, then compared.
      await manager.query(`CREATE INDEX listed_predicate_probe ON encounters (organization_id) WHERE ${LISTED_ENCOUNTER_SQL}`);
      const [probe] = await manager.query<{ predicate: string }[]>(
        `SELECT pg_get_expr(indpred, indrelid) AS predicate FROM pg_index WHERE indexrelid = 'listed_predicate_probe'::regclass`,
      );
      return {
        normalized: probe.predicate,
        indexes: await manager.query<{ name: string; predicate: string }[]>(
          `SELECT indexrelid::regclass::text AS name, pg_get_expr(indpred, indrelid) AS predicate
             FROM pg_index WHERE indrelid = 'encounters'::regclass AND indpred IS NOT NULL AND indexrelid <> 'listed_predicate_probe'::regclass`,
        ),
        functions: await manager.query<{ name: string; source: string }[]>(
          `SELECT proname AS name, prosrc AS source FROM pg_proc WHERE pronamespace = current_schema()::regnamespace AND prosrc ILIKE '%purpose%'`,
        ),
      };
    });
    expect(indexes).toEqual([{ name: '"IDX_encounters_organization_created_at_id"', predicate: normalized }]);
    // Every comparison of a purpose in a function body, as written there (a literal inside dynamic SQL has its quotes doubled).
    const comparison = /purpose\s*(?:=|<>|!=|\bIN\b|\bNOT IN\b)\s*(?:('+)\w+\1|[^\s)]+)/gi;
    const comparisons = functions.flatMap(({ name, source }) => [...source.matchAll(comparison)].map((match) => ({ name, comparison: match[0].replaceAll("''", "'") })));
    expect(comparisons.length).toBeGreaterThanOrEqual(ROUTINES.length);
    for (const found of comparisons) expect(found).toEqual({ name: found.name, comparison: LISTED_ENCOUNTER_SQL });
  });

  it('says in the code what the predicate says in the database, for every purpose', async () => {
    for (const purpose of ENCOUNTER_PURPOSES) {
      const [{ listed }] = await t.dataSource.query<{ listed: boolean }[]>(`SELECT ${LISTED_ENCOUNTER_SQL} AS listed FROM (SELECT $1::text AS purpose) encounter`, [purpose]);
      expect({ purpose, listed: isListed(purpose) }).toEqual({ purpose, listed });
    }
  });

  it('gives a replaced read back the EXECUTE grants an operator made (PUBLIC revoked, the service role granted)', async () => {
    const role = `routines_reader_${process.pid}_${Date.now()}`;
    await t.dataSource.query(`CREATE ROLE ${role} NOLOGIN`);
    try {
      await t.dataSource.query(`REVOKE ALL ON FUNCTION encounter_view FROM PUBLIC`);
      await t.dataSource.query(`GRANT EXECUTE ON FUNCTION encounter_view TO ${role}`);
      await t.dataSource.query(`COMMENT ON FUNCTION encounter_view IS 'charthero-routine 0000000000000000'`);
      expect(await migrateSchema(t.dataSource, 'all')).toEqual({ migrations: [], routines: ['encounter_view'] });
      const [privileges] = await t.dataSource.query<{ role: boolean; public: boolean }[]>(
        `SELECT has_function_privilege($1, 'encounter_view(text, text)', 'EXECUTE') AS role,
                EXISTS (SELECT 1 FROM pg_proc p, aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a WHERE p.proname = 'encounter_view' AND a.grantee = 0) AS public`,
        [role],
      );
      expect(privileges).toEqual({ role: true, public: false });
    } finally {
      await t.dataSource.query(`DROP OWNED BY ${role}`);
      await t.dataSource.query(`DROP ROLE ${role}`);
    }
  });

  it('refuses a document read with a payload it does not know, instead of returning none', async () => {
    await expect(t.dataSource.query(`SELECT * FROM encounter_document('org', 'enc', 'doc', 'word_count')`)).rejects.toThrow(/unknown payload word_count/);
    await expect(t.dataSource.query(`SELECT * FROM encounter_document('org', 'enc', 'doc', NULL)`)).resolves.toEqual([]);
  });

  it('reports routines left at another version as pending until migrated, and replaces them (result columns and triggers alike)', async () => {
    await t.load({
      organizations: [organization('org_r')],
      api_keys: [apiKey('key_r', 'org_r', TOKEN)],
      patients: [patient('pat_r', 'org_r')],
      encounters: [encounter('enc_r1', 'org_r', 'pat_r', '2026-05-25T14:00:00Z')],
    });
    // The read functions as migration EncounterReadFunctions wrote them (no payload
    // check), and a trigger function with the version of a definition the code no longer has.
    const runner = t.dataSource.createQueryRunner();
    try {
      await new EncounterReadFunctions1795610000000().down(runner);
      await new EncounterReadFunctions1795610000000().up(runner);
    } finally {
      await runner.release();
    }
    await t.dataSource.query(`COMMENT ON FUNCTION count_listed_encounters IS 'charthero-routine 0000000000000000'`);

    expectError(await t.http().get('/health/ready'), 503, 'service_unavailable', { notReady: 'pending_migrations' });
    expect(await migrateSchema(t.dataSource, 'all')).toEqual({
      migrations: [],
      routines: ['encounter_list_page', 'encounter_view', 'encounter_document', 'count_listed_encounters'],
    });
    expect((await t.http().get('/health/ready')).status).toBe(200);
    expect(await migrateSchema(t.dataSource, 'all')).toEqual({ migrations: [], routines: [] });

    // The replaced trigger function is still attached: an inserted encounter is counted.
    await t.load({ encounters: [encounter('enc_r2', 'org_r', 'pat_r', '2026-05-26T14:00:00Z')] });
    const list = await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN));
    expect(list.body).toMatchObject({ total: 2 });
    await expect(t.dataSource.query(`SELECT * FROM encounter_document('org', 'enc', 'doc', 'word_count')`)).rejects.toThrow(/unknown payload/);
  });
});
