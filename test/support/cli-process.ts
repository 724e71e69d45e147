import { type ChildProcessWithoutNullStreams, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pollUntil } from './real-time';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Runs the real CLI entry (`src/cli.ts`, compiled as `npm run cli` runs it from `dist/`) in its
 * own process with exactly `env`: for what only a process shows (its exit status, its two
 * streams, a configuration refused before anything runs). Most CLI tests run the same commands
 * in their own process instead (`CliScenario.cli`), at a fraction of the cost.
 */
export async function runCliProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const cli = await compiledEntry('cli');
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same CLI as a long-running process (`webhooks dispatch`), for a test to signal or kill. */
export async function spawnCli(args: string[], env: Record<string, string>): Promise<ChildProcessWithoutNullStreams> {
  return spawn(process.execPath, [await compiledEntry('cli'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env } });
}

/**
 * The production server (`npm run start:prod`'s `main.js`), compiled with the CLI, as a process.
 * No metrics listener unless `env` names a port: servers of parallel suites would contend for 9464.
 */
export async function spawnServer(env: Record<string, string>): Promise<ChildProcessWithoutNullStreams> {
  return spawn(process.execPath, [await compiledEntry('main')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', METRICS_PORT: '0', ...env } });
}

/**
 * An entry point of `src/` (`cli`, `main`) as `npm run build` compiles it to `dist/`:
 * compiled once per version of the sources, and shared by every suite and worker:
 * transpiling the CLI in each process (ts-node) cost about 4 s of CPU per command. The output
 * goes to `node_modules/.cache/`, where `require` finds the repository's packages, under a hash
 * of every source file, so a change to any of them is a new build. One worker compiles (it
 * holds the lock directory); another that needs it meanwhile waits for the build to appear.
 */
export async function compiledEntry(name: 'cli' | 'main'): Promise<string> {
  const outDir = join(ROOT, 'node_modules', '.cache', `charthero-cli-${sourceHash()}`);
  const entry = join(outDir, `${name}.js`);
  if (existsSync(entry)) return entry;
  const lock = `${outDir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    // Another worker is compiling this version (or one that crashed left its lock: the wait fails, naming it).
    await pollUntil(
      () => existsSync(entry),
      (built) => built,
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch(() => {
      throw new Error(`no build appeared in ${outDir}: remove ${lock} if no test run is compiling`);
    });
    return entry;
  }
  try {
    const building = `${outDir}.${process.pid}`;
    // Emitted without type checking: that is `npm run typecheck`'s job, and takes ten times longer.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', building, '--noCheck'], { cwd: ROOT });
    renameSync(building, outDir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return entry;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(join(ROOT, 'src')), join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(join(directory, entry.name)) : [join(directory, entry.name)]));
}
