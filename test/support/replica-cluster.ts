import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pollUntil } from './real-time';
import { freePort } from './server-process';
import { withAdminClient } from './test-database';

const run = promisify(execFile);

/**
 * A PostgreSQL primary and a streaming standby of its own, made from the server binaries
 * (`TEST_POSTGRES_BIN`, test/support/services.ts) in a temporary directory on free ports, run
 * as the `postgres` user, and removed by `close`. The machine's own PostgreSQL is never touched.
 */
export interface ReplicaCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  primaryUrl: string;
  replicaUrl: string;
  /** Stops applying WAL on the standby (`pg_wal_replay_pause()`): it keeps answering, ever further behind. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Stops the standby at once (immediate shutdown), as a crashed replica. */
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  /** Resolves once the standby has replayed everything the primary has flushed so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Settings of a cluster made only for tests: nothing forced to disk, small. Commits still send their WAL at once. */
const TEST_SETTINGS = ['fsync=off', 'full_page_writes=off', 'shared_buffers=16MB'];

/** `settings`: the servers' (`name=value`, besides listening on 127.0.0.1 only); the benchmark's are its own. */
export async function startReplicaCluster(bin: string, settings: readonly string[] = TEST_SETTINGS): Promise<ReplicaCluster> {
  const root = mkdtempSync(join(tmpdir(), 'charthero-replica-'));
  chownSync(root, ...postgresIds());
  const [primaryDir, replicaDir] = [join(root, 'primary'), join(root, 'replica')];
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const asPostgres = (program: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { timeout: 60_000 });
  const options = (port: number) => ['-o', [`-p ${port}`, `-k ${root}`, ...["listen_addresses='127.0.0.1'", ...settings].map((setting) => `-c ${setting}`)].join(' ')];
  const start = (dir: string, port: number) => asPostgres('pg_ctl', ['-D', dir, '-l', `${dir}.log`, '-w', '-t', '60', ...options(port), 'start']);
  const stop = (dir: string) => asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
  // Cleaning up, a server that is not running is as good as stopped.
  const stopIfRunning = (dir: string) => stop(dir).catch(() => undefined);

  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const query = <Row>(port: number, text: string) => queryOn<Row>(url(port), text);

  try {
    await asPostgres('initdb', ['-D', primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    await start(primaryDir, primaryPort);
    // -R: standby.signal and primary_conninfo, so that it starts as a streaming standby.
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--no-sync']);
    await start(replicaDir, replicaPort);
  } catch (error) {
    await stopIfRunning(replicaDir);
    await stopIfRunning(primaryDir);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const cluster: ReplicaCluster = {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    pauseReplay: () => query(replicaPort, 'SELECT pg_wal_replay_pause()').then(() => undefined),
    resumeReplay: () => query(replicaPort, 'SELECT pg_wal_replay_resume()').then(() => undefined),
    stopReplica: () => stop(replicaDir).then(() => undefined),
    startReplica: () => start(replicaDir, replicaPort).then(() => undefined),
    async caughtUp(timeoutMs = 10_000) {
      // The flushed end of the WAL, which a standby replays to exactly. Not the insert position:
      // at a page boundary it points past the next page's header, which no record fills until the
      // next write, so an idle primary would never be caught up with.
      const [{ lsn }] = await query<{ lsn: string }>(primaryPort, 'SELECT pg_current_wal_flush_lsn()::text AS lsn');
      const replayed = async () => (await query<{ replayed: boolean }>(replicaPort, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS replayed`))[0].replayed;
      await pollUntil(replayed, (done) => done, { timeoutMs, intervalMs: 20 });
    },
    async close() {
      await stopIfRunning(replicaDir);
      await stopIfRunning(primaryDir);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** The rows of `text`, run on a connection of its own to `url` (the primary's or the standby's). */
export function queryOn<Row>(url: string, text: string): Promise<Row[]> {
  return withAdminClient(url, async (client) => (await client.query<Row & object>(text)).rows);
}

/** The uid and gid of the `postgres` user, who owns the cluster's files. */
function postgresIds(): [number, number] {
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  return [uid, gid];
}
