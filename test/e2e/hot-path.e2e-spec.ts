import { Client } from 'pg';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';
import { generateBenchData } from '../../bench/generate-data';
import { listQuery, type SqlQuery } from '../../src/encounters/encounter-queries';
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

  async function planOf(query: SqlQuery): Promise<PlanNode[]> {
    const [row] = await t.dataSource.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }[]>(`EXPLAIN (FORMAT JSON) ${query.text}`, query.values);
    const plan = typeof row['QUERY PLAN'] === 'string' ? (JSON.parse(row['QUERY PLAN']) as [{ Plan: PlanNode }]) : row['QUERY PLAN'];
    return nodesOf(plan[0].Plan);
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

  it.each([
    ['the default page', largest],
    ['an ascending page', { ...largest, sortOrder: 'asc' as const }],
    ['a page deep in the organization', { ...largest, offset: 4_000 }],
    ['a small organization', { ...largest, organizationId: 'org_bench_150' }],
  ])('%s: the page uses the list index, and the total is read, not counted', async (_case, criteria) => {
    const nodes = await planOf(listQuery(criteria));
    expectIndexOnlyPage(encounterScans(nodes), 1);
    expect(nodes.some((node) => node['Relation Name'] === 'listed_encounter_counts')).toBe(true);
    expect(aggregatesOverEncounters(nodes)).toBe(false);
  });

  it.each([
    ['a one-week window', { ...largest, ...week }],
    ['a window open at its end', { ...largest, startAt: week.startAt }],
  ])('%s: the page and its count use the list index, never a sequential scan of encounters', async (_case, criteria) => {
    const nodes = await planOf(listQuery(criteria));
    // The window's count is a second index-only scan of the list index.
    expectIndexOnlyPage(encounterScans(nodes), 2);
    expect(aggregatesOverEncounters(nodes)).toBe(true);
  });

});
