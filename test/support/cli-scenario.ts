import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliOutput } from '../../src/cli/cli-output';
import { runCli } from '../../src/cli/run-cli';
import { loadAppConfig } from '../../src/config/load-app-config';
import { type CliResult, runCliProcess, spawnCli, spawnServer } from './cli-process';
import { startTestApp, type TestApp } from './test-app';
import { borrowed, createTestDatabase, type TestDatabase } from './test-database';

/** One database (and recordings directory) that CLI commands and, in between, the HTTP app take turns on. */
export interface CliScenario {
  /** Environment of every command and server of the scenario: its database, recordings directory and `env`. */
  env: Record<string, string>;
  /** The scenario's database, for an app of a test's own (another environment, a logger); dropped by `close()`. */
  database: TestDatabase;
  /**
   * Runs a command as `npm run cli` does (`runCli`), in this process, and returns what it
   * printed and its exit code. Each command is a new CLI application on the scenario's database.
   */
  cli(...args: string[]): Promise<CliResult>;
  /** The same command as a process of its own (`cli-process.ts`): for what only a process shows. */
  cliProcess(...args: string[]): Promise<CliResult>;
  /** A long-running command (`webhooks dispatch`) as a process to signal. */
  spawn(...args: string[]): Promise<ChildProcessWithoutNullStreams>;
  /** The production server on this database, with `env` added (PORT…). */
  server(env: Record<string, string>): Promise<ChildProcessWithoutNullStreams>;
  /** Writes a file (JSON unless `content` is a string or bytes) in the scenario's directory; returns its path. */
  file(name: string, content: unknown): Promise<string>;
  /** Boots the HTTP app on this database for `work`. The embedded database is one process's: never while a command runs. */
  withApp<T>(work: (app: TestApp) => Promise<T>): Promise<T>;
  /** Every row of the tables operator commands write, to show that a refused command changed nothing. */
  operatorTables(): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}

export interface CliScenarioOptions {
  /** What every command and server of the scenario sees besides its database (secrets…). */
  env?: Record<string, string>;
  /** False: the database starts empty, for `db migrate` and what refuses a database before it. Default true. */
  migrated?: boolean;
}

const OPERATOR_TABLES = { organizations: 'organization_id', partners: 'organization_id', api_keys: 'key_id' };

export async function createCliScenario(options: CliScenarioOptions = {}): Promise<CliScenario> {
  const workDir = await mkdtemp(join(tmpdir(), 'charthero-cli-'));
  // On disk for the embedded database: commands, apps and processes open it in turn.
  const database = await createTestDatabase({ migrated: options.migrated ?? true, onDisk: true });
  // The CLI and the app store recordings in the same place, as on one operator's machine.
  const env = { ...options.env, ...database.env, RECORDINGS_DIR: join(workDir, 'recordings') };
  const withApp = async <T>(work: (app: TestApp) => Promise<T>): Promise<T> => {
    const app = await startTestApp({ database: borrowed(database), env: { RECORDINGS_DIR: env.RECORDINGS_DIR } });
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  };

  return {
    env,
    database: borrowed(database),
    cli: (...args) => runCliHere(args, env),
    cliProcess: (...args) => runCliProcess(args, env),
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

/**
 * `runCli` as `src/cli.ts` calls it, with the environment a CLI process of the scenario would
 * have and its two streams captured.
 */
export async function runCliHere(args: string[], env: Record<string, string>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const output = new CliOutput(
    (text) => (stdout += text),
    (text) => (stderr += text),
  );
  const code = await runCli(loadAppConfig({ NODE_ENV: 'test', ...env }), args, output);
  return { code, stdout, stderr };
}
