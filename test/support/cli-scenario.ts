import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { CliResult, runCli, spawnCli, spawnServer } from './run-cli';
import { startTestApp, TestApp } from './test-app';
import { createTestDatabase, TestDatabase, usingPostgres } from './test-database';

/** One database (and recordings directory) that CLI processes and, in between, the HTTP app take turns on. */
export interface CliScenario {
  cli(...args: string[]): Promise<CliResult>;
  /** A long-running command (`webhooks dispatch`) as a process to signal. */
  spawn(...args: string[]): ChildProcessWithoutNullStreams;
  /** The production server on this database, with `env` added (PORT…). */
  server(env: Record<string, string>): ChildProcessWithoutNullStreams;
  /** Writes a file (JSON unless `content` is a string or bytes) in the scenario's directory; returns its path. */
  file(name: string, content: unknown): Promise<string>;
  /** Boots the HTTP app on this database for `work`. The embedded database is one process's: never call it while a CLI runs. */
  withApp<T>(work: (app: TestApp) => Promise<T>): Promise<T>;
  /** Every row of the tables operator commands write, to show that a refused command changed nothing. */
  operatorTables(): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}

const OPERATOR_TABLES = { organizations: 'organization_id', partners: 'organization_id', api_keys: 'key_id' };

/** `extraEnv`: what every CLI run and server of the scenario sees besides its database (secrets…). */
export async function createCliScenario(extraEnv: Record<string, string> = {}): Promise<CliScenario> {
  const workDir = await mkdtemp(join(tmpdir(), 'charthero-cli-'));
  // The embedded database must live on disk: every CLI run is its own process.
  const database: TestDatabase = usingPostgres()
    ? await createTestDatabase()
    : { env: { PGLITE_DATA_DIR: join(workDir, 'pglite') }, drop: async () => undefined };
  // The CLI and the app store recordings in the same place, as on one operator's machine.
  const env = { ...extraEnv, ...database.env, RECORDINGS_DIR: join(workDir, 'recordings') };
  const withApp = async <T>(work: (app: TestApp) => Promise<T>): Promise<T> => {
    const app = await startTestApp({ database: { env: database.env, drop: async () => undefined }, env: { RECORDINGS_DIR: env.RECORDINGS_DIR } });
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  };

  return {
    cli: (...args) => runCli(args, env),
    spawn: (...args) => spawnCli(args, env),
    server: (extra) => spawnServer({ ...env, ...extra }),
    file: async (name, content) => {
      const path = join(workDir, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
      return path;
    },
    withApp,
    operatorTables: () =>
      withApp(async ({ dataSource }) => {
        const rows: Record<string, unknown[]> = {};
        for (const [table, id] of Object.entries(OPERATOR_TABLES)) rows[table] = await dataSource.query(`SELECT * FROM "${table}" ORDER BY "${id}"`);
        return rows;
      }),
    close: async () => {
      await database.drop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
