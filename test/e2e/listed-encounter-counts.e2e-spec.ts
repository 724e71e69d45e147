import fc from 'fast-check';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { apiKey, bearer, organization, patient } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { itWith } from '../support/services';

/**
 * The list's total without a window is read from listed_encounter_counts, which triggers on
 * encounters keep. Whatever ChartHero's ingestion writes, in whatever statements, it must equal
 * a real count of the clinical encounters of each organization.
 */
const ORGANIZATIONS = ['org_count_a', 'org_count_b', 'org_count_c'];
const PURPOSES = ['clinical', 'demo', 'training'] as const;
const TOKEN_A = 'ch_sk_listed_counts_org_a';

/** Organization → listed encounters, by counting them; organizations with none are left out. */
async function countedByScan(dataSource: DataSource): Promise<Record<string, number>> {
  const rows = await dataSource.query<{ organization_id: string; n: number }[]>(
    `SELECT organization_id, count(*)::int AS n FROM encounters WHERE purpose = 'clinical' GROUP BY organization_id`,
  );
  return Object.fromEntries(rows.map((row) => [row.organization_id, row.n]));
}

/** Organization → listed encounters, as the triggers kept them; zero rows are left out. */
async function countedByTriggers(dataSource: DataSource): Promise<Record<string, number>> {
  const rows = await dataSource.query<{ organization_id: string; encounter_count: number }[]>(
    `SELECT organization_id, encounter_count FROM listed_encounter_counts WHERE encounter_count <> 0`,
  );
  return Object.fromEntries(rows.map((row) => [row.organization_id, row.encounter_count]));
}

/** The writes ingestion may do, each as one SQL statement over some encounters. */
type Write =
  | { kind: 'insert'; organization: number; purposes: (typeof PURPOSES)[number][] }
  | { kind: 'delete'; every: number }
  | { kind: 'change purpose'; every: number; purpose: (typeof PURPOSES)[number] }
  | { kind: 'move'; every: number; organization: number }
  | { kind: 'rolled back insert'; organization: number; count: number }
  | { kind: 'delete organization'; organization: number }
  | { kind: 'truncate' };

const organizationIndex = fc.integer({ min: 0, max: ORGANIZATIONS.length - 1 });
const purpose = fc.constantFrom(...PURPOSES);
// Statements pick encounters by `every`: every 1st, 2nd, ... 4th row in id order.
const every = fc.integer({ min: 1, max: 4 });
const write: fc.Arbitrary<Write> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), organization: organizationIndex, purposes: fc.array(purpose, { minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), every }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('change purpose' as const), every, purpose }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), every, organization: organizationIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rolled back insert' as const), organization: organizationIndex, count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete organization' as const), organization: organizationIndex }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'truncate' as const }) },
);

const SELECTED = `encounter_id IN (SELECT encounter_id FROM (SELECT encounter_id, row_number() OVER (ORDER BY encounter_id) AS n FROM encounters) numbered WHERE n % $1 = 0)`;

async function apply(dataSource: DataSource, step: Write, nextId: () => string): Promise<void> {
  const insert = (organizationId: string, purposes: readonly string[]) => {
    const values = purposes.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 2} || '_patient', 'ambient', 'completed', $${3 * i + 3}, now(), now())`);
    return {
      text: `INSERT INTO encounters (encounter_id, organization_id, patient_id, encounter_type, status, purpose, created_at, updated_at) VALUES ${values.join(', ')}`,
      values: purposes.flatMap((p) => [`enc_count_${nextId()}`, organizationId, p]),
    };
  };
  switch (step.kind) {
    case 'insert': {
      const { text, values } = insert(ORGANIZATIONS[step.organization], step.purposes);
      return void (await dataSource.query(text, values));
    }
    case 'delete':
      return void (await dataSource.query(`DELETE FROM encounters WHERE ${SELECTED}`, [step.every]));
    case 'change purpose':
      return void (await dataSource.query(`UPDATE encounters SET purpose = $2 WHERE ${SELECTED}`, [step.every, step.purpose]));
    case 'move':
      return void (await dataSource.query(`UPDATE encounters SET organization_id = $2 WHERE ${SELECTED}`, [step.every, ORGANIZATIONS[step.organization]]));
    case 'rolled back insert': {
      const { text, values } = insert(ORGANIZATIONS[step.organization], Array<string>(step.count).fill('clinical'));
      const runner = dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        await runner.query(text, values);
        await runner.rollbackTransaction();
      } finally {
        await runner.release();
      }
      return;
    }
    case 'delete organization': {
      // Cascades to its patients and encounters; it is then created again for the next steps.
      const organizationId = ORGANIZATIONS[step.organization];
      await dataSource.query(`DELETE FROM organizations WHERE organization_id = $1`, [organizationId]);
      return createOrganization(dataSource, organizationId);
    }
    case 'truncate':
      return void (await dataSource.query(`TRUNCATE encounters CASCADE`));
  }
}

async function createOrganization(dataSource: DataSource, organizationId: string): Promise<void> {
  await dataSource.query(`INSERT INTO organizations (organization_id, name) VALUES ($1, $1)`, [organizationId]);
  await dataSource.query(`INSERT INTO patients (patient_id, organization_id, first_name, last_name, date_of_birth) VALUES ($1 || '_patient', $1, 'Jane', 'Doe', '1970-01-01')`, [
    organizationId,
  ]);
}

describe('listed encounter counts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.load({ organizations: [organization('org_count_api')], api_keys: [apiKey('key_count_api', 'org_count_api', TOKEN_A)] });
    for (const organizationId of ORGANIZATIONS) await createOrganization(t.dataSource, organizationId);
  });
  afterAll(() => t.close());

  it('equal a real count of clinical encounters after any sequence of writes', async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (writes) => {
        await t.dataSource.query(`TRUNCATE encounters CASCADE`);
        for (const step of writes) await apply(t.dataSource, step, () => String(id++));
        expect(await countedByTriggers(t.dataSource)).toEqual(await countedByScan(t.dataSource));
      }),
      { numRuns: 40 },
    );
  });

  it('are what the list answers as its total without a window', async () => {
    await t.load({
      patients: [patient('pat_count_api', 'org_count_api')],
      encounters: ['clinical', 'clinical', 'demo', 'training', 'clinical'].map((p, i) => ({
        encounter_id: `enc_count_api_${i}`,
        organization_id: 'org_count_api',
        patient_id: 'pat_count_api',
        encounter_type: 'ambient',
        status: 'completed',
        purpose: p,
        created_at: `2026-05-2${i}T10:00:00Z`,
        updated_at: `2026-05-2${i}T10:00:00Z`,
        date_of_service: null,
      })),
    });
    await t.dataSource.query(`UPDATE encounters SET purpose = 'demo' WHERE encounter_id = 'enc_count_api_0'`);
    const response = await t.http().get('/external/v1/encounters?limit=1').set('Authorization', bearer(TOKEN_A)).expect(200);
    expect(response.body.total).toBe(2);
    expect(response.body.items).toHaveLength(1);
  });

  it('refuse a write that would take a count below zero, when an earlier one escaped the triggers', async () => {
    await t.dataSource.query(`TRUNCATE encounters CASCADE`);
    await t.dataSource.query(`ALTER TABLE encounters DISABLE TRIGGER count_listed_encounters_inserted`);
    await apply(t.dataSource, { kind: 'insert', organization: 0, purposes: ['clinical', 'clinical'] }, counter('escaped'));
    await t.dataSource.query(`ALTER TABLE encounters ENABLE TRIGGER count_listed_encounters_inserted`);
    await expect(apply(t.dataSource, { kind: 'delete', every: 1 }, counter('unused'))).rejects.toThrow(/listed_encounter_counts would go below zero/);
    expect(await countedByScan(t.dataSource)).toEqual({ org_count_a: 2 });
  });

  it('are filled from the encounters already there when the migration runs', async () => {
    await t.dataSource.query(`TRUNCATE encounters CASCADE`);
    // Undone with the migrations after it, newest first, then all applied again.
    const names = t.dataSource.migrations.map((migration) => migration.name);
    const later = names.slice(names.indexOf('ListedEncounterCounts1795540000000'));
    expect(later[0]).toBe('ListedEncounterCounts1795540000000');
    for (let undone = 0; undone < later.length; undone++) await t.dataSource.undoLastMigration();
    await apply(t.dataSource, { kind: 'insert', organization: 0, purposes: ['clinical', 'clinical', 'demo'] }, counter('backfill_a'));
    await apply(t.dataSource, { kind: 'insert', organization: 1, purposes: ['clinical'] }, counter('backfill_b'));
    await t.dataSource.runMigrations();
    expect(await countedByTriggers(t.dataSource)).toEqual({ org_count_a: 2, org_count_b: 1 });
  });

  // The embedded database is one in-process session: no second transaction to race.
  itWith('postgres', 'add up two transactions inserting into the same organization at once', async () => {
    const url = (t.dataSource.options as { url: string }).url;
    const [first, second] = [new Client({ connectionString: url }), new Client({ connectionString: url })];
    await Promise.all([first.connect(), second.connect()]);
    try {
      await t.dataSource.query(`TRUNCATE encounters CASCADE`);
      const insert = (client: Client, ids: string[]) =>
        client.query(
          `INSERT INTO encounters (encounter_id, organization_id, patient_id, encounter_type, status, created_at, updated_at)
           SELECT id, 'org_count_a', 'org_count_a_patient', 'ambient', 'completed', now(), now() FROM unnest($1::text[]) id`,
          [ids],
        );
      await first.query('BEGIN');
      await second.query('BEGIN');
      await insert(first, ['enc_concurrent_1', 'enc_concurrent_2', 'enc_concurrent_3']);
      // Waits on the organization's count row until the first transaction commits.
      const secondInsert = insert(second, ['enc_concurrent_4', 'enc_concurrent_5']).then(() => second.query('COMMIT'));
      await first.query('COMMIT');
      await secondInsert;
      expect(await countedByTriggers(t.dataSource)).toEqual({ org_count_a: 5 });
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });
});

function counter(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}_${n++}`;
}
