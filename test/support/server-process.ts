import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { CliScenario } from './cli-scenario';
import { deadline, pollUntil } from './real-time';

/** The production server as a process of its own, on a scenario's database. */
export interface ServerProcess {
  process: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Everything the process wrote so far, standard output and error. */
  output(): string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** fetch's network errors name their cause (ECONNRESET, ECONNREFUSED) one level down. */
export function failureOf(error: Error): string {
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** Starts `main.js` with `env` on a free port, and waits until it answers /health/live. */
export async function startServerProcess(scenario: CliScenario, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = await scenario.server({ PORT: String(port), ...env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let gone = false;
  void exited.then(() => (gone = true));
  const answered = async () =>
    gone ||
    (await fetch(`${base}/health/live`).then(
      (response) => response.ok,
      () => false,
    ));
  await pollUntil(answered, (up) => up, { timeoutMs: 30_000, intervalMs: 100 }).catch(() => {
    throw new Error(`the server did not answer within 30 s:\n${output}`);
  });
  if (gone) throw new Error(`the server exited before it answered:\n${output}`);
  return {
    process: child,
    base,
    output: () => output,
    exited,
    stop: async (graceMs = 15_000) => {
      if (!gone) child.kill('SIGTERM');
      return deadline(exited, graceMs, 'exit after SIGTERM').catch(() => {
        child.kill('SIGKILL');
        return exited;
      });
    },
  };
}
