import { type ChildProcess, spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Log, sleep } from './clock';
import { dropDatabase } from './database';
import { memoryMiB } from './proc-stats';

/** The repository root: the servers run in it, and git describes it. */
export const ROOT = path.resolve(__dirname, '..');

export interface ManagedProcess {
  name: string;
  port: number;
  pid: number;
  output: () => string;
  peakRssMiB: () => number;
  stop: () => Promise<void>;
}

/**
 * What a run must undo however it ends (done, failed, interrupted or out of time): the load run in
 * progress, the servers, the monitor connection and the database it created (unless kept), or
 * the cluster of `--replica`.
 */
export class Teardown {
  readonly servers: ManagedProcess[] = [];
  monitor: { end: () => Promise<void> } | undefined;
  databaseToDrop: string | null = null;
  /** The primary and standby of `--replica`, removed with their files. */
  cluster: { close: () => Promise<void> } | undefined;
  private aborting = false;

  constructor(
    private readonly load: { stop: () => void },
    private readonly keepDatabase: boolean,
    private readonly log: Log,
  ) {}

  async cleanUp(): Promise<void> {
    this.load.stop();
    await Promise.all(this.servers.map((server) => server.stop()));
    await this.monitor?.end().catch(() => undefined);
    this.monitor = undefined;
    if (this.databaseToDrop && !this.keepDatabase) {
      const name = this.databaseToDrop;
      this.databaseToDrop = null;
      await dropDatabase(name);
      this.log(`dropped database ${name}`);
    }
    const cluster = this.cluster;
    this.cluster = undefined;
    if (cluster) {
      await cluster.close();
      this.log('removed the --replica cluster');
    }
  }

  async abort(message: string, code: number): Promise<never> {
    // The first reason wins; a failure it causes in the run (a closed connection) is not news.
    if (this.aborting) return new Promise<never>(() => undefined);
    this.aborting = true;
    console.error(message);
    await Promise.race([this.cleanUp().catch((error: unknown) => console.error('cleanup failed:', error)), sleep(15_000)]);
    process.exit(code);
  }

  /** Aborts the run after `deadlineSeconds` (the returned watchdog, to clear at the end), or at SIGINT or SIGTERM. */
  guard(deadlineSeconds: number): NodeJS.Timeout {
    const watchdog = setTimeout(() => void this.abort(`bench: gave up after ${deadlineSeconds} s`, 2), deadlineSeconds * 1000);
    process.once('SIGINT', () => void this.abort('bench: interrupted', 130));
    process.once('SIGTERM', () => void this.abort('bench: terminated', 143));
    return watchdog;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function httpGetJson(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port, path: urlPath, headers, timeout: 5_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${urlPath} timed out`)));
    request.on('error', reject);
  });
}

/** Starts `node <args>` on a free port of 127.0.0.1 and waits for GET /health = 200; the teardown stops it. */
export async function startServer(name: string, args: string[], env: Record<string, string>, teardown: Teardown, log: Log): Promise<ManagedProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  const pid = child.pid ?? 0;
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, memoryMiB(pid, 'VmHWM'))), 500);
  const managed: ManagedProcess = {
    name,
    port,
    pid,
    output: () => lines.join('\n'),
    peakRssMiB: () => (peak = Math.max(peak, memoryMiB(pid, 'VmHWM'))),
    stop: async () => {
      clearInterval(poll);
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      if (await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) return;
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(2_000)]);
    },
  };
  teardown.servers.push(managed);

  const deadline = performance.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${name} exited (${exitCode}) before answering /health:\n${managed.output()}`);
    const health = await httpGetJson(port, '/health').catch(() => null);
    if (health?.status === 200) break;
    if (performance.now() > deadline) throw new Error(`${name} did not answer GET /health = 200 within 60 s:\n${managed.output()}`);
    await sleep(200);
  }
  log(`${name} up on 127.0.0.1:${port} (pid ${pid}, RSS ${Math.round(memoryMiB(pid, 'VmRSS'))} MiB)`);
  return managed;
}
