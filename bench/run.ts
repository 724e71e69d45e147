/**
 * `npm run bench`: the service against a framework-free baseline (bench/baseline-server.ts),
 * on the same PostgreSQL data set, driven by autocannon from this process (issue #4).
 *
 *   npm run bench                               1,000,000 encounters, 10 s per scenario and server
 *   npm run bench -- --scale 0.01               a quick run (10,000 encounters, 4 s per scenario)
 *   npm run bench -- --keep, then -- --reuse    keep the generated database, and benchmark it again
 *   BENCH_DATABASE_URL=postgres://… npm run bench
 *
 * Options: --scale N (1), --duration S (10; 4 below scale 0.1), --warmup S (3; 2 below scale 0.1),
 * --connections N (32), --reuse, --keep. Everything listens on and connects to 127.0.0.1.
 * Results: bench/results/latest.json. See docs/PERFORMANCE.md.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../src/config/load-app-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { type BenchDataSet, FULL_SCALE, generateBenchData, tokenOf } from './generate-data';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(ROOT, 'bench/results/latest.json');
const SERVER_URL = 'postgres://postgres@127.0.0.1:5432';
const DEFAULT_DATABASE = 'charthero_bench';
/** The digest secret of the benchmark's keys; fixed so that `--reuse` finds the same keys. */
const DIGEST_SECRET = 'charthero-bench-digest-secret';
const CLOCK_TICKS_PER_SECOND = 100;

// ---------------------------------------------------------------- options

function usageError(message: string): never {
  console.error(`bench: ${message}\nusage: npm run bench -- [--scale N] [--duration S] [--warmup S] [--connections N] [--reuse] [--keep]`);
  process.exit(64);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scale: { type: 'string', default: '1' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string', default: '32' },
        reuse: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  const number = (name: string, raw: string, whole: boolean) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) usageError(`--${name} must be a positive ${whole ? 'whole ' : ''}number, got "${raw}"`);
    return value;
  };
  const scale = number('scale', values.scale, false);
  const quick = scale < 0.1;
  return {
    scale,
    duration: number('duration', values.duration ?? (quick ? '4' : '10'), true),
    warmup: number('warmup', values.warmup ?? (quick ? '2' : '3'), true),
    connections: number('connections', values.connections, true),
    reuse: values.reuse,
    // A reused data set is kept for the next run too.
    keep: values.keep || values.reuse,
  };
}

const options = parseOptions();
const { scale } = options;

// ---------------------------------------------------------------- cleanup and time bounds

const children: ManagedProcess[] = [];
/** Stops the load run in progress, if any (so that the servers can close their connections). */
let stopLoad: (() => void) | undefined;
let databaseToDrop: string | null = null;

async function cleanUp(): Promise<void> {
  stopLoad?.();
  await Promise.all(children.map((child) => child.stop()));
  await monitor?.end().catch(() => undefined);
  monitor = undefined;
  if (databaseToDrop && !options.keep) {
    const name = databaseToDrop;
    databaseToDrop = null;
    await withClient(`${SERVER_URL}/postgres`, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    log(`dropped database ${name}`);
  }
}

let aborting = false;

async function abort(message: string, code: number): Promise<never> {
  // The first reason wins; a failure it causes in the run (a closed connection) is not news.
  if (aborting) return new Promise<never>(() => undefined);
  aborting = true;
  console.error(message);
  await Promise.race([cleanUp().catch((error: unknown) => console.error('cleanup failed:', error)), sleep(15_000)]);
  process.exit(code);
}

// The whole run is bounded: generation (about 40 s per million encounters), then 5 scenarios ×
// 2 servers and 4 fixed-rate runs, each at most its duration plus a 10 s request timeout.
const deadlineSeconds = Math.ceil(180 + 300 * scale + (2 * 5 + 4) * (options.warmup + options.duration + 10));
const watchdog = setTimeout(() => void abort(`bench: gave up after ${deadlineSeconds} s`, 2), deadlineSeconds * 1000);
process.once('SIGINT', () => void abort('bench: interrupted', 130));
process.once('SIGTERM', () => void abort('bench: terminated', 143));

// ---------------------------------------------------------------- helpers

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`;
const log = (message: string) => console.log(`[${elapsed()}] ${message}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  return `${SERVER_URL}/${name}`;
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

function httpGetJson(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
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

/** Fields of /proc/<pid>/stat after the command name (state is [0]); null once the process is gone. */
function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime of a process, in ms (with `children`: of its exited, reaped children instead); 0 once it is gone. */
function cpuMs(pid: number, children = false): number {
  const fields = procStat(pid);
  if (!fields) return 0;
  const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return ((Number(user) + Number(system)) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** A field of /proc/<pid>/status in MiB (VmHWM: peak resident set; VmRSS: current). */
function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0; // the process exited
  }
}

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const [, ...counters] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = counters.map(Number);
  const total = numbers.reduce((sum, value) => sum + value, 0);
  return { busy: total - numbers[3] - numbers[4], total }; // idle, iowait
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---------------------------------------------------------------- the database

interface DataInfo {
  url: string;
  database: string;
  reused: boolean;
  encounters: number;
  generationSeconds: number | null;
  vacuumSeconds: number;
  largestOrganization: string;
  largestOrganizationEncounters: number;
  token: string;
  /** Clinical encounters of the largest organization, and their documents. */
  encounterIds: string[];
  documents: { encounterId: string; documentId: string; schemaType: string }[];
}

/** What generateBenchData creates at this scale (its rounding). */
function expectedEncounters(): number {
  const multiple = 5 * FULL_SCALE.organizations;
  return Math.max(multiple, Math.round((FULL_SCALE.encounters * scale) / multiple) * multiple);
}

async function encounterCount(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass('encounters')::text AS table`);
    if (rows[0].table === null) return 0;
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM encounters')).rows[0].n;
  });
}

async function prepareDatabase(): Promise<DataInfo> {
  const explicitUrl = process.env.BENCH_DATABASE_URL;
  let url: string;
  if (explicitUrl) {
    url = explicitUrl;
  } else {
    url = databaseUrl(DEFAULT_DATABASE);
    const exists = await withClient(`${SERVER_URL}/postgres`, async (client) =>
      Boolean((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEFAULT_DATABASE])).rowCount));
    const reusable = options.reuse && exists && (await encounterCount(url)) === expectedEncounters();
    if (!reusable) {
      if (options.reuse) log(`--reuse: no ${DEFAULT_DATABASE} database with ${expectedEncounters()} encounters, generating one`);
      await withClient(`${SERVER_URL}/postgres`, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${DEFAULT_DATABASE}" WITH (FORCE)`);
        await client.query(`CREATE DATABASE "${DEFAULT_DATABASE}"`);
      });
      log(`created database ${DEFAULT_DATABASE}`);
    }
    databaseToDrop = DEFAULT_DATABASE;
  }
  const database = new URL(url).pathname.slice(1);

  // Migrations as the tests and the CLI run them (the service starts with DB_MIGRATE_ON_START=false).
  const config = loadAppConfig({ NODE_ENV: 'production', DATABASE_URL: url, API_KEY_DIGEST_SECRET: DIGEST_SECRET });
  const dataSource = new DataSource(dataSourceOptions(config.database));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    log(`migrations: ${applied.length} applied`);
  } finally {
    await dataSource.destroy();
  }

  return withClient(url, async (client) => {
    let encounters = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM encounters')).rows[0].n;
    let generationSeconds: number | null = null;
    let generated: BenchDataSet | null = null;
    if (encounters > 0 && !options.reuse) {
      throw new Error(`${database} already holds ${encounters} encounters: pass --reuse to benchmark them, or give an empty database`);
    }
    if (encounters === 0) {
      log(`generating ${expectedEncounters()} encounters (scale ${scale})…`);
      const since = performance.now();
      generated = await generateBenchData(client, scale, DIGEST_SECRET);
      generationSeconds = seconds(since);
      encounters = generated.encounters;
      log(`generated ${encounters} encounters in ${generationSeconds} s`);
    } else {
      log(`reusing ${encounters} encounters in ${database}`);
      if (encounters !== expectedEncounters()) log(`note: scale ${scale} would be ${expectedEncounters()} encounters`);
    }
    // autovacuum may be off (it is on this machine) and would anyway run at a random moment of
    // the benchmark: settle the tables first, so that index-only scans see a visibility map.
    let since = performance.now();
    await client.query('VACUUM (ANALYZE)');
    const vacuumSeconds = seconds(since);
    log(`VACUUM (ANALYZE) in ${vacuumSeconds} s`);

    since = performance.now();
    const largest = (
      await client.query<{ organization_id: string; n: number }>(
        'SELECT organization_id, count(*)::int AS n FROM encounters GROUP BY organization_id ORDER BY n DESC, organization_id LIMIT 1',
      )
    ).rows[0];
    // A reused data set's tokens are tokenOf(index of the organization), as generated; either way
    // the token must be the largest organization's key under the bench digest secret.
    const token = generated?.tokens.get(largest.organization_id) ?? tokenOf(Number(/(\d+)$/.exec(largest.organization_id)?.[1] ?? NaN));
    const digest = createHmac('sha256', DIGEST_SECRET).update(token).digest('hex');
    const key = await client.query('SELECT 1 FROM api_keys WHERE token_digest = $1 AND organization_id = $2', [digest, largest.organization_id]);
    if (!key.rowCount) throw new Error(`no bench key for ${largest.organization_id} under the bench digest secret`);

    const { rows: sampled } = await client.query<{ encounter_id: string }>(
      `SELECT encounter_id FROM encounters WHERE organization_id = $1 AND purpose = 'clinical' ORDER BY md5(encounter_id) LIMIT 100`,
      [largest.organization_id],
    );
    const encounterIds = sampled.map((row) => row.encounter_id);
    const sampleEncounterId = generated?.sampleEncounterId;
    if (sampleEncounterId !== undefined) {
      const { rows } = await client.query<{ organization_id: string; purpose: string }>(
        'SELECT organization_id, purpose FROM encounters WHERE encounter_id = $1',
        [sampleEncounterId],
      );
      const fits = rows[0]?.organization_id === largest.organization_id && rows[0]?.purpose === 'clinical';
      log(`sampleEncounterId ${sampleEncounterId} ${fits ? 'is a clinical encounter of' : 'does NOT belong to'} ${largest.organization_id}`);
      if (fits && !encounterIds.includes(sampleEncounterId)) encounterIds[0] = sampleEncounterId;
    }
    const { rows: documentRows } = await client.query<{ encounter_id: string; document_id: string; schema_type: string }>(
      'SELECT encounter_id, document_id, schema_type FROM documents WHERE encounter_id = ANY($1) ORDER BY encounter_id, document_id',
      [encounterIds],
    );
    log(`largest organization ${largest.organization_id}: ${largest.n} encounters; sampled ${encounterIds.length} encounters, ${documentRows.length} documents (${seconds(since)} s)`);
    return {
      url,
      database,
      reused: generationSeconds === null,
      encounters,
      generationSeconds,
      vacuumSeconds,
      largestOrganization: largest.organization_id,
      largestOrganizationEncounters: largest.n,
      token,
      encounterIds,
      documents: documentRows.map((row) => ({ encounterId: row.encounter_id, documentId: row.document_id, schemaType: row.schema_type })),
    };
  });
}

// ---------------------------------------------------------------- the two servers

interface ManagedProcess {
  name: string;
  port: number;
  pid: number;
  output: () => string;
  peakRssMiB: () => number;
  stop: () => Promise<void>;
}

async function startServer(name: string, args: string[], env: Record<string, string>): Promise<ManagedProcess> {
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
  children.push(managed);

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

// ---------------------------------------------------------------- load

interface Scenario {
  id: string;
  title: string;
  /** Cycled through by every connection's requests. */
  paths: string[];
}

interface LatencySummary {
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
}

/** What one load run observed, whichever driver produced it. */
interface LoadOutcome {
  requestsPerSecond: number;
  /** Latencies of 2xx responses, ms. */
  latencies: number[];
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  autocannonLatencyMs: LatencySummary | null;
}

interface Measurement {
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
  /** CPU time per response, in ms, of the server process, of its database backends and of this load generator. */
  cpuMsPerRequest: { server: number; database: number; loadGenerator: number };
  /**
   * Database transactions per response, from pg_stat_database: each statement of the routes is
   * one, and so is each parallel worker PostgreSQL starts for a statement. Approximate (backends
   * report their counters about once a second).
   */
  databaseTransactionsPerRequest: number;
  /** The whole machine's CPU use during the run (all cores = 100). */
  machineCpuPercent: number;
  /** The part of it that was neither the server, its database backends nor this process: other work on the machine. */
  otherCpuPercent: number;
}

/** This process's own connection, for pg_stat_* readings. */
let monitor: Client | undefined;
let monitorDatabase = '';

/**
 * Transactions so far, and the CPU time of the database's backends: the live ones, plus the
 * exited children of the postmaster (the parallel workers PostgreSQL starts for one query;
 * also any other database's closed connection, which is rare during a run).
 */
async function databaseCounters(): Promise<{ transactions: number; backendCpuMs: Map<number, number>; exitedCpuMs: number }> {
  if (!monitor) throw new Error('no monitor connection');
  const { rows } = await monitor.query<{ transactions: string; pids: number[] }>(
    `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1) AS transactions,
            (SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) AS pids`,
    [monitorDatabase],
  );
  const pids = rows[0].pids;
  const postmaster = pids.length > 0 ? Number(procStat(pids[0])?.[1] ?? 0) : 0;
  return {
    transactions: Number(rows[0].transactions),
    backendCpuMs: new Map(pids.map((pid) => [pid, cpuMs(pid)])),
    exitedCpuMs: postmaster > 0 ? cpuMs(postmaster, true) : 0,
  };
}

/** Closed loop (each connection sends its next request when the previous one is answered), or autocannon's -R. */
function runAutocannon(server: ManagedProcess, token: string, scenario: Scenario, duration: number, overallRate?: number): Promise<LoadOutcome> {
  let next = 0;
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}`,
        connections: options.connections,
        duration,
        timeout: 10,
        headers: { authorization: `Bearer ${token}` },
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: scenario.paths[next++ % scenario.paths.length] }) }],
        ...(overallRate !== undefined && { overallRate }),
      },
      (error: unknown, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(`autocannon: ${JSON.stringify(error)}`));
        resolve({
          requestsPerSecond: result.requests.average,
          latencies,
          responses: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          autocannonLatencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
        });
      },
    );
    stopLoad = () => instance.stop();
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/**
 * Open loop at a constant rate: request i is due at start + i / rate whether or not earlier ones
 * have been answered, and its latency runs from when it was due, so time spent waiting behind a
 * slow response counts (no coordinated omission). At most `--connections` sockets; a request
 * waiting for a free socket is still on the clock. autocannon's -R, by contrast, lets each
 * connection send its per-second quota back to back at the start of every second.
 */
function runPaced(server: ManagedProcess, token: string, scenario: Scenario, duration: number, rate: number): Promise<LoadOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const headers = { authorization: `Bearer ${token}` };
  const total = Math.max(1, Math.floor(rate * duration));
  const interval = 1000 / rate;
  const outcome: LoadOutcome = { requestsPerSecond: 0, latencies: [], responses: 0, non2xx: 0, errors: 0, timeouts: 0, autocannonLatencyMs: null };
  stopLoad = () => agent.destroy();
  return new Promise((resolve) => {
    const start = performance.now();
    let sent = 0;
    let settled = 0;
    const fire = (due: number) => {
      let done = false;
      const finish = (status: number | null) => {
        if (done) return;
        done = true;
        if (status === null) outcome.errors++;
        else {
          outcome.responses++;
          if (status >= 200 && status < 300) outcome.latencies.push(performance.now() - due);
          else outcome.non2xx++;
        }
        if (++settled === total) {
          agent.destroy();
          outcome.requestsPerSecond = outcome.responses / ((performance.now() - start) / 1000);
          resolve(outcome);
        }
      };
      const request = httpGet({ host: '127.0.0.1', port: server.port, path: scenario.paths[sent % scenario.paths.length], headers, agent, timeout: 10_000 }, (response) => {
        response.resume();
        response.on('end', () => finish(response.statusCode ?? 0));
        response.on('error', () => finish(null));
      });
      request.on('timeout', () => {
        outcome.timeouts++;
        request.destroy(new Error('timed out'));
      });
      request.on('error', () => finish(null));
    };
    const tick = () => {
      const now = performance.now();
      for (let due = start + sent * interval; sent < total && due <= now; due = start + sent * interval) {
        sent++;
        fire(due);
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
}

/**
 * Waits (at most 10 s) until no statement runs in the database: a server keeps working on the
 * requests a finished run left in flight, and that must not land in the next run's numbers.
 */
async function settle(): Promise<void> {
  if (!monitor) throw new Error('no monitor connection');
  const deadline = performance.now() + 10_000;
  // Twice idle in a row: a server's queued requests follow each other with barely a gap.
  for (let idle = 0; performance.now() < deadline; await sleep(50)) {
    const { rows } = await monitor.query<{ active: number }>(
      `SELECT count(*)::int AS active FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
      [monitorDatabase],
    );
    idle = rows[0].active === 0 ? idle + 1 : 0;
    if (idle === 2) return;
  }
  log('  the database was still busy after 10 s; measuring anyway');
}

async function measure(server: ManagedProcess, drive: () => Promise<LoadOutcome>): Promise<Measurement> {
  await settle();
  const before = { server: cpuMs(server.pid), self: process.cpuUsage(), machine: machineTicks(), database: await databaseCounters() };
  const outcome = await drive();
  const database = await databaseCounters();
  const machine = machineTicks();
  const self = process.cpuUsage(before.self);
  // Live backends: their CPU since the start. Exited children of the postmaster: their whole
  // lifetime's, less what a backend that was live at the start had already used then.
  let databaseCpu = database.exitedCpuMs > 0 && before.database.exitedCpuMs > 0 ? database.exitedCpuMs - before.database.exitedCpuMs : 0;
  for (const [pid, ms] of before.database.backendCpuMs) if (!database.backendCpuMs.has(pid)) databaseCpu -= ms;
  for (const [pid, ms] of database.backendCpuMs) databaseCpu += ms - (before.database.backendCpuMs.get(pid) ?? 0);
  databaseCpu = Math.max(0, databaseCpu);

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
    },
    databaseTransactionsPerRequest: round((database.transactions - before.database.transactions) / responses, 2),
    machineCpuPercent: Math.round((100 * machineBusyMs) / machineTotalMs),
    otherCpuPercent: Math.max(0, Math.round((100 * (machineBusyMs - serverCpu - databaseCpu - selfCpu)) / machineTotalMs)),
  };
}

async function warmUp(server: ManagedProcess, token: string, scenario: Scenario): Promise<void> {
  await settle();
  const outcome = await runAutocannon(server, token, scenario, options.warmup);
  if (outcome.non2xx > 0 || outcome.errors > 0) log(`  warm-up of ${server.name}: ${outcome.non2xx} non-2xx, ${outcome.errors} errors`);
}

/** Both servers must give the same status and the same JSON for the same request. */
async function compareResponses(service: ManagedProcess, baseline: ManagedProcess, token: string, scenarios: Scenario[]): Promise<void> {
  const headers = { authorization: `Bearer ${token}` };
  for (const scenario of scenarios) {
    for (const urlPath of scenario.paths.slice(0, 3)) {
      const [ours, theirs] = await Promise.all([httpGetJson(service.port, urlPath, headers), httpGetJson(baseline.port, urlPath, headers)]);
      if (ours.status !== 200 || theirs.status !== 200) {
        throw new Error(`GET ${urlPath}: service ${ours.status} ${ours.body.slice(0, 300)}; baseline ${theirs.status} ${theirs.body.slice(0, 300)}`);
      }
      if (JSON.stringify(JSON.parse(ours.body)) !== JSON.stringify(JSON.parse(theirs.body))) {
        throw new Error(`GET ${urlPath}: the service and the baseline answer different JSON:\n${ours.body.slice(0, 500)}\n${theirs.body.slice(0, 500)}`);
      }
    }
  }
  log('service and baseline answer the same JSON for every scenario');
}

function buildScenarios(data: DataInfo): Scenario[] {
  const list = '/external/v1/encounters';
  // 20 one-week windows of 2025 (Monday to Monday, two weeks apart), cycled through.
  const weeks = Array.from({ length: 20 }, (_, k) => {
    const start = new Date(Date.UTC(2025, 0, 6 + 14 * k));
    const end = new Date(start.getTime() + 7 * 86_400_000);
    return `${list}?start_at=${start.toISOString().replace('.000Z', 'Z')}&end_at=${end.toISOString().replace('.000Z', 'Z')}`;
  });
  return [
    { id: 'list', title: 'List, default page (largest organization)', paths: [list] },
    { id: 'list_window', title: 'List, one-week window of 2025', paths: weeks },
    { id: 'list_offset_10000', title: 'List at offset=10000 (largest organization)', paths: [`${list}?offset=10000`] },
    { id: 'detail', title: 'Encounter detail', paths: data.encounterIds.map((id) => `${list}/${id}`) },
    { id: 'document', title: 'Document fetch (notes and transcripts)', paths: data.documents.map((d) => `${list}/${d.encounterId}/documents/${d.documentId}`) },
  ];
}

// ---------------------------------------------------------------- report

interface ScenarioResult {
  id: string;
  title: string;
  examplePath: string;
  distinctPaths: number;
  service: Measurement;
  baseline: Measurement;
  /** service / baseline requests per second. */
  ratio: number;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((width, column) => (column < 2 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

interface FixedRate {
  scenario: 'list';
  ratePerSecond: number;
  basis: string;
  autocannon: Record<'service' | 'baseline', Measurement>;
  paced: Record<'service' | 'baseline', Measurement>;
}

function printReport(results: ScenarioResult[], fixed: FixedRate, rss: { service: number; baseline: number }): void {
  const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
  const rows = [['Scenario', 'Server', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'non-2xx', 'service/baseline']];
  const add = (title: string, server: 'service' | 'baseline', m: Measurement, ratio?: number) =>
    rows.push([
      server === 'service' ? title : '',
      server,
      fmt(m.requestsPerSecond),
      fmt(m.latencyMs.p50, 2),
      fmt(m.latencyMs.p97_5, 2),
      fmt(m.latencyMs.p99, 2),
      String(m.non2xx + m.errors),
      ratio === undefined ? '' : `${ratio.toFixed(2)}×`,
    ]);
  for (const result of results) {
    add(result.title, 'service', result.service, result.ratio);
    add(result.title, 'baseline', result.baseline);
  }
  for (const driver of ['autocannon', 'paced'] as const) {
    const title = `List, fixed ${fixed.ratePerSecond} req/s (${driver === 'paced' ? 'paced, open loop' : 'autocannon -R'})`;
    add(title, 'service', fixed[driver].service);
    add(title, 'baseline', fixed[driver].baseline);
  }
  console.log(`\n${table(rows)}`);
  const corrected = (m: Measurement) => (m.autocannonLatencyMs ? `${m.autocannonLatencyMs.p50}/${m.autocannonLatencyMs.p97_5}/${m.autocannonLatencyMs.p99}` : '–');
  console.log(
    `\nnon-2xx counts non-2xx responses and connection errors. autocannon -R, its own coordinated-omission-corrected histogram (whole ms), p50/p97.5/p99: service ${corrected(fixed.autocannon.service)}, baseline ${corrected(fixed.autocannon.baseline)}`,
  );
  console.log(`Peak RSS (VmHWM): service ${rss.service.toFixed(0)} MiB, baseline ${rss.baseline.toFixed(0)} MiB`);

  const cost = [['Scenario', 'Server', 'server CPU ms/req', 'DB CPU ms/req', 'load gen CPU ms/req', 'DB xacts/req', 'machine CPU %', 'other work CPU %']];
  for (const result of results) {
    for (const server of ['service', 'baseline'] as const) {
      const m = result[server];
      cost.push([
        server === 'service' ? result.id : '',
        server,
        fmt(m.cpuMsPerRequest.server, 3),
        fmt(m.cpuMsPerRequest.database, 3),
        fmt(m.cpuMsPerRequest.loadGenerator, 3),
        fmt(m.databaseTransactionsPerRequest, 2),
        String(m.machineCpuPercent),
        String(m.otherCpuPercent),
      ]);
    }
  }
  console.log(`\nWhere the time goes (CPU per request from /proc, DB including parallel workers; transactions from pg_stat_database, approximate):\n${table(cost)}`);
  const busiest = Math.max(...results.flatMap((result) => [result.service.otherCpuPercent, result.baseline.otherCpuPercent]));
  if (busiest > 5) console.log(`\nWARNING: other work used up to ${busiest}% of the machine's CPU during a measurement; rerun on a quiet machine.`);
}

function gitDescribe(): string | null {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- main

const loadAtStart = os.loadavg().map((value) => round(value));

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: npm run bench builds it first');
  log(`bench: scale ${scale}, ${options.duration} s per scenario and server after a ${options.warmup} s warm-up, ${options.connections} connections (load average ${loadAtStart.join(' ')})`);
  const data = await prepareDatabase();

  monitor = new Client({ connectionString: data.url });
  // Dropping the database at an interrupt terminates this connection: nothing to report then.
  monitor.on('error', () => undefined);
  await monitor.connect();
  monitorDatabase = data.database;
  const settings = Object.fromEntries(
    (
      await monitor.query<{ name: string; setting: string }>(
        `SELECT name, current_setting(name) AS setting FROM pg_settings
         WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'jit', 'autovacuum', 'max_connections', 'max_parallel_workers_per_gather', 'random_page_cost')`,
      )
    ).rows.map((row) => [row.name, row.setting]),
  );

  const env = { DATABASE_URL: data.url, API_KEY_DIGEST_SECRET: DIGEST_SECRET };
  const service = await startServer('service', ['dist/main.js'], { ...env, NODE_ENV: 'production', DB_MIGRATE_ON_START: 'false' });
  const baseline = await startServer('baseline', ['-r', 'ts-node/register/transpile-only', 'bench/baseline-server.ts'], { ...env, NODE_ENV: 'production', TS_NODE_PROJECT: 'tsconfig.json' });

  const scenarios = buildScenarios(data);
  await compareResponses(service, baseline, data.token, scenarios);

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const measured: Partial<Record<'service' | 'baseline', Measurement>> = {};
    for (const server of [service, baseline]) {
      await warmUp(server, data.token, scenario);
      measured[server.name as 'service' | 'baseline'] = await measure(server, () => runAutocannon(server, data.token, scenario, options.duration));
    }
    const result: ScenarioResult = {
      id: scenario.id,
      title: scenario.title,
      examplePath: scenario.paths[0],
      distinctPaths: scenario.paths.length,
      service: measured.service!,
      baseline: measured.baseline!,
      ratio: round(measured.service!.requestsPerSecond / measured.baseline!.requestsPerSecond, 3),
    };
    results.push(result);
    const line = (name: string, m: Measurement) =>
      `${name} ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, ${m.non2xx} non-2xx, ${m.errors} errors`;
    log(`${scenario.id}: ${line('service', result.service)} | ${line('baseline', result.baseline)} | ratio ${result.ratio}`);
  }

  // The list scenario again at a fixed rate both servers can sustain: autocannon's -R, then paced open loop.
  const rate = Math.max(1, Math.round(0.7 * results[0].service.requestsPerSecond));
  const fixedRate = { scenario: 'list', ratePerSecond: rate, basis: '70% of the service’s measured list throughput', autocannon: {}, paced: {} } as FixedRate;
  for (const driver of ['autocannon', 'paced'] as const) {
    for (const server of [service, baseline]) {
      fixedRate[driver][server.name as 'service' | 'baseline'] = await measure(server, () =>
        driver === 'paced' ? runPaced(server, data.token, scenarios[0], options.duration, rate) : runAutocannon(server, data.token, scenarios[0], options.duration, rate),
      );
    }
    log(`list at a fixed ${rate} req/s (${driver}): service p99 ${fixedRate[driver].service.latencyMs.p99} ms, baseline p99 ${fixedRate[driver].baseline.latencyMs.p99} ms`);
  }
  const rss = { service: round(service.peakRssMiB(), 1), baseline: round(baseline.peakRssMiB(), 1) };
  await monitor.end();
  monitor = undefined;

  const report = {
    date: new Date().toISOString(),
    commit: gitDescribe(),
    machine: {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      postgres: settings,
      loadAverageAtStart: loadAtStart,
      note: 'database, service, baseline and load generator on the same machine',
    },
    options: { scale, duration: options.duration, warmup: options.warmup, connections: options.connections },
    data: {
      database: data.database,
      reused: data.reused,
      encounters: data.encounters,
      generationSeconds: data.generationSeconds,
      vacuumAnalyzeSeconds: data.vacuumSeconds,
      largestOrganization: data.largestOrganization,
      largestOrganizationEncounters: data.largestOrganizationEncounters,
    },
    scenarios: results,
    fixedRate,
    peakRssMiB: rss,
    totalSeconds: seconds(started),
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  printReport(results, fixedRate, rss);
  console.log(`\nData: ${data.encounters} encounters${data.generationSeconds === null ? ' (reused)' : `, generated in ${data.generationSeconds} s`}; results in ${path.relative(ROOT, RESULTS_FILE)}`);
}

main()
  .then(async () => {
    await cleanUp();
    clearTimeout(watchdog);
    log('done');
  })
  .catch((error: unknown) => abort(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)}`, 1));
