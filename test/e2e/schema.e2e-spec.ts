import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { usingPostgres } from '../support/test-database';

const MIGRATIONS_DIR = join(__dirname, '../../src/database/migrations');

/**
 * The migrations on disk, by the name TypeORM records (`<Class><timestamp>` for
 * `<timestamp>-<Class>.ts`), oldest first: what the schema is, whatever list the code keeps.
 */
function migrationFilesOnDisk(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .map((file) => /^(\d+)-(\w+)\.ts$/.exec(file))
    .filter((match) => match !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map(([, timestamp, name]) => `${name}${timestamp}`);
}

/** Migrations are the only way the schema changes, so they must say what the entities say. */
describe('database schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('has applied, at boot, every migration file on disk, in order, and has none pending', async () => {
    const applied = await t.dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
    expect(migrationFilesOnDisk().length).toBeGreaterThan(0);
    expect(applied.map((migration) => migration.name)).toEqual(migrationFilesOnDisk());
    expect(await t.dataSource.showMigrations()).toBe(false);
  });

  it('matches the entities exactly: synchronizing would change nothing', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('has the index that serves the encounter list: organization, then created_at, then id, on clinical encounters', async () => {
    const [index] = await t.dataSource.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'encounters' AND indexname = 'IDX_encounters_organization_created_at_id'`);
    // TypeORM's schema diff ignores an index's WHERE clause: this is what checks it.
    expect(index.indexdef).toMatch(/\(organization_id, created_at, encounter_id\) WHERE \(purpose = 'clinical'::text\)$/);
  });

  if (!usingPostgres()) {
    it('runs the embedded database with a 16 MB page cache, not the 128 MB it would set up at every start', async () => {
      const [setting] = await t.dataSource.query<{ shared_buffers: string }[]>('SHOW shared_buffers');
      expect(setting.shared_buffers).toBe('16MB');
    });
  }
});
