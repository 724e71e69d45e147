import { Client } from 'pg';
import { type Log, sleep } from './clock';
import type { LatencySummary, LoadOutcome } from './load';
import type { ManagedProcess } from './processes';
import { CLOCK_TICKS_PER_SECOND, cpuMs, machineTicks, procStat } from './proc-stats';

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Measurement {
  requestsPerSecond: number;
  /**
   * 2xx only, to the microsecond (autocannon's own histogram keeps whole ms). Closed loop and
   * autocannon -R: from each request's send; paced: from when the request was due.
   */
  latencyMs: LatencySummary;
  /** autocannon's own latency histogram (whole ms; with -R, corrected by autocannon for coordinated omission). */
  autocannonLatencyMs: LatencySummary | null;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /**
   * CPU time per response, in ms, of the server process, of its database backends (every
   * database server's) and of this load generator; with `--replica`, `replica` is the streaming
   * replica's part of `database` (its backends and its replay).
   */
  cpuMsPerRequest: { server: number; database: number; loadGenerator: number; replica?: number };
  /**
   * Database transactions per response, from pg_stat_database: each statement of the routes is
   * one, and so is each parallel worker PostgreSQL starts for a statement. Approximate (backends
   * report their counters about once a second). The primary's; with `--replica`,
   * `replicaTransactionsPerRequest` the replica's.
   */
  databaseTransactionsPerRequest: number;
  replicaTransactionsPerRequest?: number;
  /** The whole machine's CPU use during the run (all cores = 100). */
  machineCpuPercent: number;
  /** The part of it that was neither the server, its database backends nor this process: other work on the machine. */
  otherCpuPercent: number;
}

/** What one database server had done by a moment of the run. */
interface ServerCounters {
  transactions: number;
  backendCpuMs: Map<number, number>;
  exitedCpuMs: number;
}

/**
 * This process's own connections to the benchmark database, for pg_settings and pg_stat_*
 * readings: on the primary, and on the streaming replica of `--replica` (the same database,
 * another server).
 */
export class DatabaseMonitor {
  private readonly servers: ServerMonitor[];

  constructor(urls: string[], database: string, log: Log) {
    this.servers = urls.map((url) => new ServerMonitor(url, database, log));
  }

  async connect(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.connect()));
  }

  async end(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.end()));
  }

  /** The primary's settings that bear on the results (a replica's are the same, bar hot standby's). */
  settings(): Promise<Record<string, string>> {
    return this.servers[0].settings();
  }

  /** Each server's counters, the primary's first. */
  counters(): Promise<ServerCounters[]> {
    return Promise.all(this.servers.map((server) => server.counters()));
  }

  async settle(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.settle()));
  }
}

/** One database server of the run. */
class ServerMonitor {
  private readonly client: Client;

  constructor(
    url: string,
    private readonly database: string,
    private readonly log: Log,
  ) {
    this.client = new Client({ connectionString: url });
    // Dropping the database at an interrupt terminates this connection: nothing to report then.
    this.client.on('error', () => undefined);
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  end(): Promise<void> {
    return this.client.end();
  }

  /** The PostgreSQL settings that bear on the results. */
  async settings(): Promise<Record<string, string>> {
    const { rows } = await this.client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
       WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'jit', 'autovacuum', 'max_connections', 'max_parallel_workers_per_gather', 'random_page_cost')`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  }

  /**
   * Transactions so far, and the CPU time of the database's processes: its backends and the
   * server's background processes (WAL writer, checkpointer, autovacuum workers: the audit's
   * writes keep them busy, and that is the database's work, not other work on the machine),
   * the live ones, plus the exited children of the postmaster (the parallel workers PostgreSQL
   * starts for one query, finished autovacuum workers; also any other database's closed
   * connection, which is rare during a run).
   */
  async counters(): Promise<ServerCounters> {
    const { rows } = await this.client.query<{ transactions: string; pids: number[] }>(
      `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1) AS transactions,
              (SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity
                WHERE (datname = $1 OR backend_type <> 'client backend') AND pid <> pg_backend_pid()) AS pids`,
      [this.database],
    );
    const pids = rows[0].pids;
    const postmaster = pids.length > 0 ? Number(procStat(pids[0])?.[1] ?? 0) : 0;
    return {
      transactions: Number(rows[0].transactions),
      backendCpuMs: new Map(pids.map((pid) => [pid, cpuMs(pid)])),
      exitedCpuMs: postmaster > 0 ? cpuMs(postmaster, true) : 0,
    };
  }

  /**
   * Waits (at most 10 s) until no statement runs in the database: a server keeps working on the
   * requests a finished run left in flight, and that must not land in the next run's numbers.
   */
  async settle(): Promise<void> {
    const deadline = performance.now() + 10_000;
    // Twice idle in a row: a server's queued requests follow each other with barely a gap.
    for (let idle = 0; performance.now() < deadline; await sleep(50)) {
      const { rows } = await this.client.query<{ active: number }>(
        `SELECT count(*)::int AS active FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [this.database],
      );
      idle = rows[0].active === 0 ? idle + 1 : 0;
      if (idle === 2) return;
    }
    this.log('  the database was still busy after 10 s; measuring anyway');
  }
}

export async function warmUp(server: ManagedProcess, monitor: DatabaseMonitor, drive: () => Promise<LoadOutcome>, log: Log): Promise<void> {
  await monitor.settle();
  const outcome = await drive();
  if (outcome.non2xx > 0 || outcome.errors > 0) log(`  warm-up of ${server.name}: ${outcome.non2xx} non-2xx, ${outcome.errors} errors`);
}

/** One load run against `server`, with what it cost the server, the database, this process and the machine. */
export async function measure(server: ManagedProcess, monitor: DatabaseMonitor, drive: () => Promise<LoadOutcome>): Promise<Measurement> {
  await monitor.settle();
  const before = { server: cpuMs(server.pid), self: process.cpuUsage(), machine: machineTicks(), database: await monitor.counters() };
  const outcome = await drive();
  const database = await monitor.counters();
  const machine = machineTicks();
  const self = process.cpuUsage(before.self);
  const serverCpus = database.map((after, index) => databaseCpuBetween(before.database[index], after));
  const databaseCpu = serverCpus.reduce((sum, ms) => sum + ms, 0);
  const [primary, replica] = database.map((after, index) => after.transactions - before.database[index].transactions);

  const responses = Math.max(1, outcome.responses);
  const serverCpu = cpuMs(server.pid) - before.server;
  const selfCpu = (self.user + self.system) / 1000;
  const machineMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  const machineTotalMs = Math.max(1, machineMs(machine.total - before.machine.total));
  const machineBusyMs = machineMs(machine.busy - before.machine.busy);
  const latencies = outcome.latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: round(outcome.requestsPerSecond, 1),
    latencyMs: { p50: round(percentile(latencies, 50)), p97_5: round(percentile(latencies, 97.5)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN) },
    autocannonLatencyMs: outcome.autocannonLatencyMs,
    requests: latencies.length,
    non2xx: outcome.non2xx,
    errors: outcome.errors,
    timeouts: outcome.timeouts,
    cpuMsPerRequest: {
      server: round(serverCpu / responses, 3),
      database: round(databaseCpu / responses, 3),
      loadGenerator: round(selfCpu / responses, 3),
      ...(serverCpus.length > 1 ? { replica: round(serverCpus[1] / responses, 3) } : {}),
    },
    databaseTransactionsPerRequest: round(primary / responses, 2),
    ...(replica === undefined ? {} : { replicaTransactionsPerRequest: round(replica / responses, 2) }),
    machineCpuPercent: Math.round((100 * machineBusyMs) / machineTotalMs),
    otherCpuPercent: Math.max(0, Math.round((100 * (machineBusyMs - serverCpu - databaseCpu - selfCpu)) / machineTotalMs)),
  };
}

/**
 * A database server's CPU between two readings. Live backends: their CPU since the first.
 * Exited children of the postmaster: their whole lifetime's, less what a backend that was live
 * at the first reading had already used then.
 */
function databaseCpuBetween(before: ServerCounters, after: ServerCounters): number {
  let cpu = after.exitedCpuMs > 0 && before.exitedCpuMs > 0 ? after.exitedCpuMs - before.exitedCpuMs : 0;
  for (const [pid, ms] of before.backendCpuMs) if (!after.backendCpuMs.has(pid)) cpu -= ms;
  for (const [pid, ms] of after.backendCpuMs) cpu += ms - (before.backendCpuMs.get(pid) ?? 0);
  return Math.max(0, cpu);
}
