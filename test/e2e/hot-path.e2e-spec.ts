import { Client } from 'pg';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';
import { generateBenchData } from '../../bench/generate-data';
import { LIST_PAGE, LIST_WINDOW_COUNT } from '../../src/encounters/encounter-routines';
import { apiKey, bearer, encounter, noteDocument, organization, patient } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { usingPostgres } from '../support/test-database';

const TOKEN = 'ch_sk_hot_path_full_access';
const LIST = '/external/v1/encounters';

/**
 * Round trips to the database, counted at the driver, where every statement goes through
 * (every statement is TypeORM's): a pg client, or the PGlite pool.
 */
function countQueries(): { readonly count: number; stop(): void } {
  const spy = usingPostgres() ? jest.spyOn(Client.prototype, 'query') : jest.spyOn(PGlitePool.prototype, 'query');
  return {
    get count() {
      return spy.mock.calls.length;
    },
    stop: () => spy.mockRestore(),
  };
}

describe('the request hot path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.load({
      organizations: [organization('org_hot')],
      api_keys: [apiKey('key_hot', 'org_hot', TOKEN)],
      patients: [patient('pat_hot', 'org_hot')],
      encounters: [encounter('enc_hot', 'org_hot', 'pat_hot', '2026-05-25T14:00:00Z')],
      documents: [noteDocument('doc_hot', 'enc_hot')],
    });
  });
  afterAll(() => t.close());
  // Time stands still in each test, so the one-second caches stay fresh however slow the machine is.
  beforeEach(() => t.clock.freeze());
  afterEach(() => t.clock.thaw());

  async function queriesOf(path: string, token = TOKEN): Promise<number> {
    const queries = countQueries();
    try {
      await t.http().get(path).set('Authorization', bearer(token));
      return queries.count;
    } finally {
      queries.stop();
    }
  }

  it('looks the key and the partner up once, then serves from memory: one read and its audit record per request', async () => {
    // First use: the key (with its organization) and the allowlist are read, and last use recorded.
    expect(await queriesOf(LIST)).toBeGreaterThan(3);
    // The page with its total, then the audit record (one INSERT, shared by concurrent requests).
    expect(await queriesOf(LIST)).toBe(2);
    expect(await queriesOf(`${LIST}?start_at=2026-05-01T00:00:00Z&end_at=2026-06-01T00:00:00Z`)).toBe(2);
    expect(await queriesOf(`${LIST}/enc_hot`)).toBe(2);
    expect(await queriesOf(`${LIST}/enc_hot/documents/doc_hot`)).toBe(2);
  });

  it('remembers an unknown key too: a second try costs no query', async () => {
    expect(await queriesOf(LIST, 'ch_sk_hot_path_unknown_key')).toBe(1);
    expect(await queriesOf(LIST, 'ch_sk_hot_path_unknown_key')).toBe(0);
  });
});

describe('the list queries on a realistic data set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    // 20,000 encounters, a quarter in one organization, the benchmark's shape at 1/50.
    await generateBenchData(t.dataSource, 0.02, 'unused-in-this-test');
    await t.dataSource.query('VACUUM ANALYZE');
  });
  afterAll(() => t.close());

  type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };
  const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

  /**
   * The plan `encounter_list_page` runs `statement` with: the generic plan (the function's
   * `force_generic_plan`), made once for any values, here prepared with the function's
   * parameters on one connection and explained.
   */
  async function planOf(statement: string, values: (string | number | Date | null)[]): Promise<PlanNode[]> {
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.query(`PREPARE list_statement (text, integer, integer, timestamptz, timestamptz) AS ${statement}`);
      await runner.query('SET plan_cache_mode = force_generic_plan');
      // EXECUTE takes no bind parameters: the test's own values, as literals (the plan is the same for any).
      const literals = values.map((value) =>
        value === null ? 'NULL' : value instanceof Date ? `'${value.toISOString()}'` : typeof value === 'number' ? String(value) : `'${value}'`,
      );
      const rows: { 'QUERY PLAN': [{ Plan: PlanNode }] | string }[] = await runner.query(`EXPLAIN (FORMAT JSON) EXECUTE list_statement (${literals.join(', ')})`);
      const [row] = rows;
      const plan = typeof row['QUERY PLAN'] === 'string' ? (JSON.parse(row['QUERY PLAN']) as [{ Plan: PlanNode }]) : row['QUERY PLAN'];
      return nodesOf(plan[0].Plan);
    } finally {
      await runner.query('DEALLOCATE list_statement');
      await runner.query('RESET plan_cache_mode');
      await runner.release();
    }
  }

  const largest = { organizationId: 'org_bench_000', limit: 50, offset: 0, sortOrder: 'desc' as const };
  const week = { startAt: new Date('2025-03-01T00:00:00Z'), endAt: new Date('2025-03-08T00:00:00Z') };

  const LIST_INDEX = 'IDX_encounters_organization_created_at_id';
  /** How the plan reads encounters: `<node type> <index>` per scan, sorted. */
  const encounterScans = (nodes: PlanNode[]) =>
    nodes
      .filter((node) => node['Relation Name'] === 'encounters')
      .map((node) => `${node['Node Type']} ${node['Index Name'] ?? ''}`.trim())
      .sort();
  const aggregatesOverEncounters = (nodes: PlanNode[]) =>
    nodes.some((node) => node['Node Type'] === 'Aggregate' && (node.Plans ?? []).flatMap(nodesOf).some((child) => child['Relation Name'] === 'encounters'));
  const PRIMARY_KEY_SCAN = 'Index Scan PK_57aefca4135b89262ab657f4fca';
  const LIST_INDEX_ONLY_SCAN = new RegExp(`^(Parallel )?Index Only Scan( Backward)? ${LIST_INDEX}$`);

  /** The page's ids come from the list index alone; only the page's rows are read, by primary key. */
  function expectIndexOnlyPage(scans: string[], listIndexScans: number): void {
    expect(scans.filter((scan) => scan === PRIMARY_KEY_SCAN)).toHaveLength(1);
    const others = scans.filter((scan) => scan !== PRIMARY_KEY_SCAN);
    expect(others).toHaveLength(listIndexScans);
    for (const scan of others) expect(scan).toMatch(LIST_INDEX_ONLY_SCAN);
  }

  const valuesOf = (criteria: { organizationId: string; limit: number; offset: number; startAt?: Date; endAt?: Date }) => [
    criteria.organizationId,
    criteria.limit,
    criteria.offset,
    criteria.startAt ?? null,
    criteria.endAt ?? null,
  ];

  it.each([
    ['the default page', largest],
    ['an ascending page', { ...largest, sortOrder: 'asc' as const }],
    ['a page deep in the organization', { ...largest, offset: 4_000 }],
    ['a small organization', { ...largest, organizationId: 'org_bench_150' }],
    ['a one-week window', { ...largest, ...week }],
    ['a window open at its end', { ...largest, startAt: week.startAt }],
  ])('%s: the page uses the list index, and counts nothing', async (_case, criteria) => {
    const statements = 'startAt' in criteria ? LIST_PAGE.window : LIST_PAGE.whole;
    const nodes = await planOf(statements[criteria.sortOrder], valuesOf(criteria));
    expectIndexOnlyPage(encounterScans(nodes), 1);
    expect(aggregatesOverEncounters(nodes)).toBe(false);
  });

  it.each([
    ['a one-week window', { ...largest, ...week }],
    ['a window open at its end', { ...largest, startAt: week.startAt }],
    ['a small organization', { ...largest, organizationId: 'org_bench_150', ...week }],
  ])("%s: the window's total is counted over the list index alone, never a sequential scan of encounters", async (_case, criteria) => {
    const nodes = await planOf(LIST_WINDOW_COUNT, valuesOf(criteria));
    const scans = encounterScans(nodes);
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatch(LIST_INDEX_ONLY_SCAN);
    expect(aggregatesOverEncounters(nodes)).toBe(true);
  });

  it("without a window, the total is the organization's listed-encounter count, read rather than counted", async () => {
    const total = async (window: { startAt?: Date; endAt?: Date }) => {
      const values = [...valuesOf({ ...largest, ...window }), false];
      const [row] = await t.dataSource.query<{ total: number }[]>('SELECT total FROM encounter_list_page($1, $2, $3, $4, $5, $6)', values);
      return row.total;
    };
    const [{ encounter_count: counted }] = await t.dataSource.query<{ encounter_count: number }[]>(
      `SELECT encounter_count FROM listed_encounter_counts WHERE organization_id = 'org_bench_000'`,
    );
    const wholeHistory = { startAt: new Date('1970-01-01T00:00:00Z') };
    expect(await total(wholeHistory)).toBe(counted);
    // A count that is not the encounters' (never so outside this test) shows which one was answered.
    await t.dataSource.query(`UPDATE listed_encounter_counts SET encounter_count = encounter_count + 1000 WHERE organization_id = 'org_bench_000'`);
    try {
      expect(await total({})).toBe(counted + 1000);
      expect(await total(wholeHistory)).toBe(counted);
    } finally {
      await t.dataSource.query(`UPDATE listed_encounter_counts SET encounter_count = encounter_count - 1000 WHERE organization_id = 'org_bench_000'`);
    }
  });
});
