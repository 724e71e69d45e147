import { PGlite } from '@electric-sql/pglite';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { getPGliteInstance } from 'typeorm-pglite';
import type { AppConfig } from '../../src/config/app-config';
import { loadAppConfig } from '../../src/config/load-app-config';
import { routineVersion } from '../../src/database/routine-installer';
import { dataSourceOptions, PGLITE_IN_MEMORY } from '../../src/database/data-source-options';
import { ROUTINES } from '../../src/database/routines';
import { migrateSchema } from '../../src/database/schema-migration';
import { serviceUrl } from './services';

export interface TestDatabase {
  /** Environment that points an app or a CLI process at this database. */
  env: Record<string, string>;
  /** The embedded database in memory starts as a copy of this migrated template (`loadDataDir`). */
  loadDataDir?: Blob;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** False: an empty database, for what runs the migrations itself. Default true. */
  migrated?: boolean;
  /**
   * The embedded database as a data directory, which CLI processes and apps booted one after
   * another can open in turn; default: in memory, for one app (or two sharing the process's).
   */
  onDisk?: boolean;
}

const ROOT = join(__dirname, '..', '..');
/**
 * Where embedded databases on disk are made: a memory-backed file system where the machine has
 * one (Linux's /dev/shm). Each is 40 MB of files, written and read as a real data directory,
 * without waiting on a disk.
 */
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const MIGRATIONS_DIR = join(ROOT, 'src', 'database', 'migrations');
/** What applies the migrations and routines (`migrateSchema`): a template made by other code is another template. */
const SCHEMA_CODE = ['schema-migration.ts', 'routine-installer.ts'].map((file) => join(ROOT, 'src', 'database', file));

/**
 * A fresh database for one test: a new PostgreSQL database next to `TEST_DATABASE_URL` when it
 * is set (test/support/services.ts), else PGlite. Migrated databases are copies of a template migrated once per version of
 * the migrations (`CREATE DATABASE … TEMPLATE` on PostgreSQL; a dumped data directory for
 * PGlite, kept in node_modules/.cache/), which costs a fraction of migrating each one.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const serverUrl = serviceUrl('postgres');
  if (serverUrl) return createDatabaseOn(serverUrl, migrated);
  if (!options.onDisk) {
    return { env: { PGLITE_DATA_DIR: PGLITE_IN_MEMORY }, loadDataDir: migrated ? await pgliteTemplate() : undefined, drop: async () => undefined };
  }
  const workDir = await mkdtemp(join(SCRATCH, 'charthero-pglite-'));
  const dataDir = join(workDir, 'pglite');
  // A copy of the template's files: a third of the time of loading its dump onto disk.
  if (migrated) cpSync(await pgliteTemplateDirectory(), dataDir, { recursive: true });
  return { env: { PGLITE_DATA_DIR: dataDir }, drop: () => rm(workDir, { recursive: true, force: true }) };
}

/** The same database for another app or scenario step, which must leave dropping it to its owner. */
export function borrowed(database: TestDatabase): TestDatabase {
  return { ...database, drop: async () => undefined };
}

/** `config` pointed at `database` the way an app in this process opens it. */
export function onTestDatabase(config: AppConfig, database: TestDatabase): AppConfig {
  if (config.database.kind !== 'pglite' || database.loadDataDir === undefined) return config;
  return { ...config, database: { ...config.database, loadDataDir: database.loadDataDir } };
}

/** Whether this run's databases are PostgreSQL's (`TEST_DATABASE_URL`) rather than PGlite. */
export function usingPostgres(): boolean {
  return serviceUrl('postgres') !== null;
}

/** A fresh database on the PostgreSQL server `serverUrl` names (a suite's own server, as the replica suites'). */
export async function createDatabaseOn(serverUrl: string, migrated = true): Promise<TestDatabase> {
  const name = `charthero_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = migrated ? await postgresTemplate(serverUrl) : null;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  return {
    env: { DATABASE_URL: databaseUrl(serverUrl, name) },
    drop: () => withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * The migrated template database on the `TEST_DATABASE_URL` server, created by the first worker
 * that needs it (the others wait on an advisory lock). Nothing stays connected to it: PostgreSQL
 * copies a database only while no one is.
 */
async function postgresTemplate(serverUrl: string): Promise<string> {
  const name = `charthero_template_${schemaHash()}`;
  await withAdminClient(serverUrl, async (client) => {
    await client.query(`SELECT pg_advisory_lock(hashtext('charthero_test_template'))`);
    try {
      const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (existing.rowCount !== 0) return;
      await client.query(`CREATE DATABASE "${name}"`);
      try {
        await migrate(databaseUrl(serverUrl, name));
      } catch (error) {
        await client.query(`DROP DATABASE "${name}" WITH (FORCE)`);
        throw error;
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('charthero_test_template'))`);
    }
  });
  return name;
}

async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(loadAppConfig({ DATABASE_URL: url }).database));
  await dataSource.initialize();
  try {
    await migrateSchema(dataSource, 'all');
  } finally {
    await dataSource.destroy();
  }
}

let pgliteTemplateDump: Promise<Blob> | undefined;

/**
 * The migrated PGlite template, dumped once per version of the migrations into
 * node_modules/.cache/ and shared by every worker and run (two workers may build it at once;
 * the first rename wins). It is built through TypeORM's PGlite driver, whose one instance per
 * process is free then: a test file's first database is made before any of its apps starts.
 */
function pgliteTemplate(): Promise<Blob> {
  pgliteTemplateDump ??= (async () => {
    const file = join(ROOT, 'node_modules', '.cache', `charthero-pglite-template-${schemaHash()}.tar`);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const building = `${file}.${process.pid}`;
      writeFileSync(building, await migratedPgliteDump());
      renameSync(building, file);
    }
    return new Blob([readFileSync(file)]);
  })();
  return pgliteTemplateDump;
}

let pgliteTemplateFiles: Promise<string> | undefined;

/** The template as a data directory, next to its dump in node_modules/.cache/, for databases on disk to copy. */
function pgliteTemplateDirectory(): Promise<string> {
  pgliteTemplateFiles ??= (async () => {
    const directory = join(ROOT, 'node_modules', '.cache', `charthero-pglite-template-${schemaHash()}`);
    if (!existsSync(directory)) {
      const building = `${directory}.${process.pid}`;
      // Loaded by a PGlite of its own, not through TypeORM's driver, whose one instance may be an app's.
      await (await PGlite.create({ dataDir: building, loadDataDir: await pgliteTemplate() })).close();
      try {
        renameSync(building, directory);
      } catch {
        await rm(building, { recursive: true, force: true }); // another worker's is already there
      }
    }
    return directory;
  })();
  return pgliteTemplateFiles;
}

async function migratedPgliteDump(): Promise<Buffer> {
  const dataSource = new DataSource(dataSourceOptions({ kind: 'pglite', dataDir: PGLITE_IN_MEMORY }));
  await dataSource.initialize();
  try {
    await migrateSchema(dataSource, 'all');
    const dump = await (await getPGliteInstance()).dumpDataDir('none');
    return Buffer.from(await dump.arrayBuffer());
  } finally {
    await dataSource.destroy();
  }
}

let hash: string | undefined;

/**
 * Changes with any migration or routine, with the code that applies them, and with the PGlite
 * release that wrote the template.
 */
function schemaHash(): string {
  if (hash) return hash;
  const digest = createHash('sha256').update(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  const files = [
    ...readdirSync(MIGRATIONS_DIR)
      .sort()
      .map((file) => join(MIGRATIONS_DIR, file)),
    ...SCHEMA_CODE,
  ];
  for (const file of files) digest.update(file).update('\0').update(readFileSync(file)).update('\0');
  for (const routine of ROUTINES) digest.update(routineVersion(routine));
  hash = digest.digest('hex').slice(0, 16);
  return hash;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
