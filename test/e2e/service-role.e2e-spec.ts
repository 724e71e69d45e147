/**
 * Least privilege (docs/operations.md "Database roles"): `db grant ROLE` gives a role exactly
 * what the service needs, the service runs as that role, the audit refuses TRUNCATE whoever
 * asks, and a role without its grant is answered 503 with a line naming what it lacks.
 * On PGlite (one session, one superuser) the role is taken with SET ROLE; on PostgreSQL the
 * service connects as it.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { SERVICE_TABLE_PRIVILEGES } from '../../src/database/service-role';
import { CapturingLogger } from '../support/capturing-logger';
import { type CliScenario, createCliScenario } from '../support/cli-scenario';
import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';
import { serviceUrl } from '../support/services';
import { startTestApp, type TestApp } from '../support/test-app';
import { usingPostgres } from '../support/test-database';

const TOKEN = 'ch_sk_service_role_full_access';
const SCENARIO = {
  organizations: [organization('org_role')],
  api_keys: [apiKey('key_role', 'org_role', TOKEN)],
  patients: [patient('pat_role', 'org_role')],
  encounters: [encounter('enc_role', 'org_role', 'pat_role', '2026-05-25T14:00:00Z')],
};
const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
/** Roles are the server's, not a database's: unique names on PostgreSQL, dropped at the end. */
const GRANTED = `charthero_service_${suffix}`;
const UNGRANTED = `charthero_bare_${suffix}`;
/** A member of the tables' owner role: it has the owner's powers whatever it is granted. */
const OWNER_MEMBER = `charthero_owner_member_${suffix}`;

describe('the service role (db grant)', () => {
  let scenario: CliScenario;

  beforeAll(async () => {
    scenario = await createCliScenario();
    await scenario.withApp(async (t) => {
      await t.load(SCENARIO);
      for (const role of [GRANTED, UNGRANTED]) await t.dataSource.query(`CREATE ROLE "${role}" LOGIN`);
      const [{ owner }] = await t.dataSource.query<{ owner: string }[]>(`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'phi_access_records'`);
      await t.dataSource.query(`CREATE ROLE "${OWNER_MEMBER}" LOGIN IN ROLE "${owner}"`);
      // What an earlier, looser setup may have left: the grant takes it away.
      await t.dataSource.query(`GRANT TRUNCATE ON encounters TO "${GRANTED}"`);
      await t.dataSource.query(`GRANT CREATE ON SCHEMA public TO "${GRANTED}"`);
    });
  });
  afterAll(async () => {
    await scenario.close();
    const serverUrl = serviceUrl('postgres');
    if (serverUrl === null) return;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    for (const role of [GRANTED, UNGRANTED, OWNER_MEMBER]) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    await admin.end();
  });

  /** The scenario's database, connected to as `role` on PostgreSQL. */
  const databaseAs = (role: string) => {
    const { env } = scenario.database;
    if (env.DATABASE_URL === undefined) return scenario.database;
    const url = new URL(env.DATABASE_URL);
    url.username = role;
    return { ...scenario.database, env: { DATABASE_URL: url.toString() } };
  };

  /** An app that serves as `role`: connected as it (PostgreSQL), or its one session set to it (PGlite). */
  const serveAs = async <T>(role: string, logger: CapturingLogger, work: (t: TestApp) => Promise<T>): Promise<T> => {
    const t = await startTestApp({ database: databaseAs(role), logger, env: { DB_MIGRATE_ON_START: 'false', RECORDINGS_DIR: scenario.env.RECORDINGS_DIR } });
    try {
      if (!usingPostgres()) await t.dataSource.query(`SET ROLE "${role}"`);
      return await work(t);
    } finally {
      if (!usingPostgres()) await t.dataSource.query('RESET ROLE');
      await t.close();
    }
  };

  /** `work` on one connection that has taken `role`. */
  const asRole = <T>(role: string, work: (runner: QueryRunner) => Promise<T>): Promise<T> =>
    scenario.withApp(async (t) => {
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.query(`SET ROLE "${role}"`);
        return await work(runner);
      } finally {
        await runner.query('RESET ROLE');
        await runner.release();
      }
    });

  const refusal = (runner: QueryRunner, sql: string) =>
    runner.query(sql).then(
      () => 'allowed',
      (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
    );

  it('covers every table of the migrated schema, and names no other', async () => {
    const tables = await scenario.withApp(({ dataSource }) =>
      dataSource.query<{ name: string }[]>(
        `SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname`,
      ),
    );
    expect(tables.map(({ name }) => name)).toEqual(Object.keys(SERVICE_TABLE_PRIVILEGES).sort());
  });

  it('grants exactly the privileges of SERVICE_TABLE_PRIVILEGES, nothing on the audit partitions or the schema but USAGE, and again changes nothing', async () => {
    const first = await scenario.cli('db', 'grant', GRANTED);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp(`^Granted ${GRANTED} what the service needs in schema public`));

    const privileges = () =>
      scenario.withApp(async ({ dataSource }) => {
        const rows = await dataSource.query<{ table_name: string; privilege_type: string }[]>(
          `SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = $1 ORDER BY table_name, privilege_type`,
          [GRANTED],
        );
        const tables: Record<string, string[]> = {};
        for (const row of rows) (tables[row.table_name] ??= []).push(row.privilege_type);
        const [schema] = await dataSource.query<{ usage: boolean; create: boolean }[]>(
          `SELECT has_schema_privilege($1, 'public', 'USAGE') AS usage, has_schema_privilege($1, 'public', 'CREATE') AS create`,
          [GRANTED],
        );
        return { tables, schema };
      });
    const expected = Object.fromEntries(Object.entries(SERVICE_TABLE_PRIVILEGES).map(([table, granted]) => [table, [...granted].sort()]));
    const afterFirst = await privileges();
    expect(afterFirst).toEqual({ tables: expected, schema: { usage: true, create: false } });

    expect(await scenario.cli('db', 'grant', GRANTED)).toMatchObject({ code: 0 });
    expect(await privileges()).toEqual(afterFirst);
  });

  it('refuses, in one line and changing nothing, a role that does not exist, a superuser or the owner of the tables, and no role at all', async () => {
    const superuser = await scenario.withApp(
      async ({ dataSource }) => (await dataSource.query<{ name: string }[]>(`SELECT rolname AS name FROM pg_roles WHERE rolsuper ORDER BY rolname LIMIT 1`))[0].name,
    );
    const grantsOf = (role: string) =>
      scenario.withApp(({ dataSource }) => dataSource.query(`SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = $1`, [role]));
    const before = await grantsOf(UNGRANTED);

    const refused = async (...args: string[]) => {
      const result = await scenario.cli('db', 'grant', ...args);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      return result.stderr;
    };
    expect(await refused(`no_such_role_${suffix}`)).toMatch(/role "no_such_role_.*" does not exist/);
    expect(await refused(superuser)).toMatch(/is a superuser/);
    expect(await refused(OWNER_MEMBER)).toMatch(/owns the schema's tables/);
    expect(await refused()).toMatch(/missing required argument 'role'/);
    expect(await refused(UNGRANTED, 'extra')).toMatch(/unexpected argument "extra"/);
    expect(await grantsOf(UNGRANTED)).toEqual(before);
  });

  describe('as the granted role', () => {
    beforeAll(async () => {
      expect(await scenario.cli('db', 'grant', GRANTED)).toMatchObject({ code: 0 });
    });

    it('serves the partner routes and writes their audit records', async () => {
      const logger = new CapturingLogger();
      await serveAs(GRANTED, logger, async (t) => {
        const [{ role }] = await t.dataSource.query<{ role: string }[]>('SELECT current_user AS role');
        expect(role).toBe(GRANTED);
        expect((await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN))).status).toBe(200);
        expect((await t.http().get('/external/v1/encounters/enc_role').set('Authorization', bearer(TOKEN))).status).toBe(200);
        expect((await t.http().get('/health/ready')).status).toBe(200);
        const [{ records }] = await t.dataSource.query<{ records: number }[]>(`SELECT count(*)::int AS records FROM phi_access_records WHERE organization_id = 'org_role'`);
        expect(records).toBeGreaterThanOrEqual(2);
      });
      expect(logger.lines.filter((line) => /privilege|permission/i.test(line))).toEqual([]);
    });

    it("creates the audit's months ahead (with its owner's rights), and cannot update, delete or truncate the audit, nor create anything", async () => {
      await asRole(GRANTED, async (runner) => {
        await runner.query(`SELECT ensure_phi_access_partitions('2031-06-15T00:00:00Z', 0)`);
        const [partition] = (await runner.query(
          `SELECT pg_get_userbyid(c.relowner) AS owner,
                  EXISTS (SELECT FROM pg_trigger WHERE tgrelid = c.oid AND tgname = 'phi_access_records_no_truncate') AS guarded
             FROM pg_class c WHERE c.oid = to_regclass('phi_access_records_2031_06')`,
        )) as { owner: string; guarded: boolean }[];
        expect(partition.owner).not.toBe(GRANTED);
        expect(partition.guarded).toBe(true);

        expect(await refusal(runner, `UPDATE phi_access_records SET status = 200`)).toMatch(/^42501: /);
        expect(await refusal(runner, `DELETE FROM phi_access_records`)).toMatch(/^42501: /);
        expect(await refusal(runner, `TRUNCATE phi_access_records`)).toMatch(/^42501: /);
        expect(await refusal(runner, `TRUNCATE phi_access_records_2031_06`)).toMatch(/^42501: /);
        expect(
          await refusal(
            runner,
            `INSERT INTO phi_access_records_2031_06 (occurred_at, request_id, organization_id, key_id, route_id, status) VALUES ('2031-06-15', 'r', 'o', 'k', 'x', 200)`,
          ),
        ).toMatch(/^42501: /);
        expect(await refusal(runner, `ALTER TABLE phi_access_records DISABLE TRIGGER phi_access_records_append_only`)).toMatch(/^42501: /);
        expect(await refusal(runner, `CREATE TABLE intruder (id int)`)).toMatch(/^42501: /);
        expect(await refusal(runner, `TRUNCATE encounters`)).toMatch(/^42501: /);
      });
    });
  });

  it("refuses TRUNCATE of the audit and of each partition to the tables' owner too", async () => {
    await scenario.withApp(async ({ dataSource }) => {
      const tables = await dataSource.query<{ name: string }[]>(
        `SELECT 'phi_access_records' AS name UNION ALL SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'phi_access_records'::regclass`,
      );
      expect(tables.length).toBeGreaterThan(2);
      for (const { name } of tables) {
        await expect(dataSource.query(`TRUNCATE "${name}"`)).rejects.toThrow(/phi_access_records is append-only: TRUNCATE is refused/);
      }
    });
  });

  it("warns at start in production when the service's role could bypass the audit's guards (its owner, a superuser), not as the granted role", async () => {
    const productionStart = async (role: string) => {
      const logger = new CapturingLogger();
      const production = { NODE_ENV: 'production', API_KEY_DIGEST_SECRET: 'role-digest', MEDIA_URL_SECRET: 'role-media', MEDIA_BASE_URL: 'https://media.example.com' };
      const t = await startTestApp({ database: databaseAs(role), logger, env: { ...production, DB_MIGRATE_ON_START: 'false', RECORDINGS_DIR: scenario.env.RECORDINGS_DIR } });
      await t.close();
      return logger.lines.filter((line) => line.startsWith('The service runs as role'));
    };
    if (usingPostgres()) {
      expect(await productionStart(OWNER_MEMBER)).toEqual([expect.stringMatching(new RegExp(`^The service runs as role ${OWNER_MEMBER}, which owns phi_access_records: `))]);
      expect(await productionStart(GRANTED)).toEqual([]);
    } else {
      // One embedded session, its superuser's.
      expect(await productionStart(GRANTED)).toEqual([expect.stringMatching(/^The service runs as role \S+, which is a superuser: /)]);
    }
  });

  it('answers a role without the grant 503 service_unavailable, with an error line naming the missing privilege', async () => {
    const logger = new CapturingLogger();
    await serveAs(UNGRANTED, logger, async (t) => {
      expectError(await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)), 503, 'service_unavailable');
    });
    expect(logger.lines.filter((line) => line.includes('Database privilege missing'))).toEqual([
      expect.stringMatching(/^Database privilege missing on GET \/external\/v1\/encounters \[req_[^\]]+\]: permission denied for table \w+ \(42501\)\. .*db grant ROLE/),
    ]);
  });
});
