import { startTestApp, TestApp } from '../support/test-app';

/** Migrations are the only way the schema changes, so they must say what the entities say. */
describe('database schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('has no pending migration after boot', async () => {
    expect(await t.dataSource.showMigrations()).toBe(false);
  });

  it('matches the entities exactly: synchronizing would change nothing', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('has the index that serves the encounter list: organization, then created_at, then id, on clinical encounters', async () => {
    const [index] = await t.dataSource.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'encounters' AND indexname = 'IDX_encounters_organization_created_at_id'`,
    );
    // TypeORM's schema diff ignores an index's WHERE clause: this is what checks it.
    expect(index.indexdef).toMatch(/\(organization_id, created_at, encounter_id\) WHERE \(purpose = 'clinical'::text\)$/);
  });
});
