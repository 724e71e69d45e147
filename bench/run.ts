/**
 * `npm run bench`: the service against a framework-free baseline (bench/baseline-server.ts),
 * on the same PostgreSQL data set, driven by autocannon from this process (issue #4).
 *
 *   npm run bench                               1,000,000 encounters, 10 s per scenario and server
 *   npm run bench -- --scale 0.01               a quick run (10,000 encounters, 4 s per scenario)
 *   npm run bench -- --keep, then -- --reuse    keep the generated database, and benchmark it again
 *   npm run bench -- --soak 300                 the service alone, mixed traffic at a fixed rate for 300 s (bench/soak.ts)
 *   npm run bench -- --replica                  on a primary and a streaming standby of its own, the service reading from the standby
 *   BENCH_DATABASE_URL=postgres://… npm run bench
 *
 * Options: --scale N (1), --duration S (10; 4 below scale 0.1), --warmup S (3; 2 below scale 0.1),
 * --connections N (32), --reuse, --keep, --soak S, --runs N (1; 3 for a verdict that noise cannot decide),
 * --baseline equal|bare (equal: the baseline writes the audit records and access lines the contract requires), --replica (PostgreSQL's
 * server binaries from BENCH_POSTGRES_BIN, default /usr/lib/postgresql/15/bin). Everything listens on and connects to 127.0.0.1.
 * Results: bench/results/latest.json. See docs/PERFORMANCE.md.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLog, seconds } from './clock';
import { startReplicaCluster, type ReplicaCluster } from '../test/support/replica-cluster';
import { createDefaultDatabase, createDatabaseOn, DEFAULT_DATABASE, BENCH_WEBHOOK_KEY, DIGEST_SECRET, prepareDatabase, sameDatabaseOn } from './database';
import { LoadGenerator } from './load';
import { DatabaseMonitor, measure, type Measurement, round, warmUp } from './measure';
import { parseOptions } from './options';
import { type ManagedProcess, ROOT, startServer, Teardown } from './processes';
import { type FixedRate, printReport, RESULTS_FILE, type ScenarioResult, summarizeRuns, writeResults } from './report';
import { buildScenarios, compareResponses, type Scenario } from './scenarios';
import { runSoak } from './soak';

/** The fixed-rate list runs' rate, as a share of the service's closed-loop list throughput. */
const FIXED_RATE_SHARE = 0.5;

const options = parseOptions();
const started = performance.now();
const log = createLog(started);
const load = new LoadGenerator(options.connections);
const teardown = new Teardown(load, options.keep, log);
// The whole run is bounded: generation (about 40 s per million encounters), then 5 scenarios ×
// 2 servers and 4 fixed-rate runs, each at most its duration plus a 10 s request timeout.
// A soak runs the service alone for its seconds, after a warm-up, a throughput run and a settling.
const watchdog = teardown.guard(
  Math.ceil(
    180 +
      300 * options.scale +
      (options.soak === null ? (2 * 5 * options.runs + 4) * (options.warmup + options.duration + 10) : options.soak + options.warmup + options.duration + 120),
  ),
);
const loadAtStart = os.loadavg().map((value) => round(value));
/** PostgreSQL's server binaries, for the cluster of `--replica`. */
const BENCH_POSTGRES_BIN = process.env.BENCH_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
/**
 * The `--replica` cluster's servers, as the machine's own PostgreSQL runs (PostgreSQL's
 * defaults: durable commits, a 128 MB page cache), and the standby as docs/operations.md "Read
 * replicas" advises (hot_standby_feedback).
 */
const REPLICA_CLUSTER_SETTINGS = ['shared_buffers=128MB', 'max_connections=100', 'hot_standby_feedback=on'];
/** The Redis of the service's rate-limit counters (the machine's, as in CI). */
const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: npm run bench builds it first');
  log(
    `bench: scale ${options.scale}, ${options.duration} s per scenario and server after a ${options.warmup} s warm-up, ${options.connections} connections (load average ${loadAtStart.join(' ')})`,
  );
  let url = process.env.BENCH_DATABASE_URL;
  let cluster: ReplicaCluster | null = null;
  if (options.replica) {
    cluster = await startReplicaCluster(BENCH_POSTGRES_BIN, REPLICA_CLUSTER_SETTINGS);
    teardown.cluster = cluster;
    url = await createDatabaseOn(cluster.primaryUrl);
    log(`--replica: a primary and a streaming standby of the bench's own (${cluster.primaryUrl}, ${cluster.replicaUrl}); the service reads from the standby`);
  } else if (!url) {
    // Without BENCH_DATABASE_URL the bench owns its database: dropped again at the end unless kept.
    url = await createDefaultDatabase(options, log);
    teardown.databaseToDrop = DEFAULT_DATABASE;
  }
  const data = await prepareDatabase(url, options, log);
  let replicaUrl: string | null = null;
  if (cluster) {
    await cluster.caughtUp(600_000);
    replicaUrl = sameDatabaseOn(cluster.replicaUrl, data.url);
  }

  const monitor = new DatabaseMonitor(replicaUrl ? [data.url, replicaUrl] : [data.url], data.database, log);
  teardown.monitor = monitor;
  await monitor.connect();
  const settings = await monitor.settings();

  const env = { DATABASE_URL: data.url, API_KEY_DIGEST_SECRET: DIGEST_SECRET };
  // As deployed: with a webhook key, so the service runs its dispatcher beside the requests
  // measured. Rate limits off: one key sends all the load, far over its budget
  // (BENCH_RATE_LIMITS=redis measures them instead, counted in Redis, above the load).
  const limits: Record<string, string> =
    process.env.BENCH_RATE_LIMITS === 'redis'
      ? { REDIS_URL: BENCH_REDIS_URL, REDIS_KEY_PREFIX: `charthero-bench:${process.pid}:`, RATE_LIMIT_PER_KEY: '1000000000', RATE_LIMIT_FAILED_AUTH_PER_IP: '1000000000' }
      : { RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_FAILED_AUTH_PER_IP: '0' };
  log(
    process.env.BENCH_RATE_LIMITS === 'redis'
      ? `bench: rate limits on, counted in Redis (${BENCH_REDIS_URL}), at 1e9 requests per key and per address a minute: above any load here`
      : 'bench: rate limits off (RATE_LIMIT_PER_KEY=0, RATE_LIMIT_FAILED_AUTH_PER_IP=0); BENCH_RATE_LIMITS=redis measures them',
  );
  const replicas: Record<string, string> = replicaUrl ? { DATABASE_REPLICA_URLS: replicaUrl } : {};
  const service = await startServer(
    'service',
    ['dist/main.js'],
    { ...env, ...limits, ...replicas, NODE_ENV: 'production', DB_MIGRATE_ON_START: 'false', WEBHOOK_SECRET_KEY: BENCH_WEBHOOK_KEY },
    teardown,
    log,
  );
  if (options.soak !== null) {
    if (!(await runSoak(service, data, options, load, log))) process.exitCode = 1;
    await monitor.end();
    teardown.monitor = undefined;
    return;
  }
  const baseline = await startServer(
    'baseline',
    ['-r', 'ts-node/register/transpile-only', 'bench/baseline-server.ts'],
    { ...env, NODE_ENV: 'production', TS_NODE_PROJECT: 'tsconfig.json', BASELINE_WORK: options.baseline },
    teardown,
    log,
  );

  const scenarios = buildScenarios(data);
  await compareResponses(service, baseline, data.token, scenarios, log);

  const results = await measureScenarios([service, baseline], scenarios, data.token, monitor);
  // The list scenario again at a fixed rate both servers can sustain: autocannon's -R, then paced
  // open loop. Half the closed-loop throughput: requests that arrive spread out are not batched
  // per event-loop turn, cost the service a third more CPU each, and at 70% saturated it.
  const rate = Math.max(1, Math.round(FIXED_RATE_SHARE * results[0].service.requestsPerSecond));
  const fixedRate = await measureFixedRate([service, baseline], scenarios[0], data.token, monitor, rate);
  const rss = { service: round(service.peakRssMiB(), 1), baseline: round(baseline.peakRssMiB(), 1) };
  await monitor.end();
  teardown.monitor = undefined;

  writeResults({
    postgresSettings: settings,
    loadAverageAtStart: loadAtStart,
    options,
    data,
    scenarios: results,
    fixedRate,
    peakRssMiB: rss,
    totalSeconds: seconds(started),
  });
  printReport(results, fixedRate, rss, options.runs);
  console.log(
    `\nData: ${data.encounters} encounters${data.generationSeconds === null ? ' (reused)' : `, generated in ${data.generationSeconds} s`}; results in ${path.relative(ROOT, RESULTS_FILE)}`,
  );
}

/**
 * Each scenario closed loop, against the service then the baseline (A B), `--runs` times over
 * (A B A B …: a drift of the machine lands on both), each server warmed up before its first run.
 */
async function measureScenarios(servers: ManagedProcess[], scenarios: Scenario[], token: string, monitor: DatabaseMonitor): Promise<ScenarioResult[]> {
  const runs = new Map(scenarios.map((scenario) => [scenario.id, { service: [] as Measurement[], baseline: [] as Measurement[] }]));
  for (let run = 1; run <= options.runs; run++) {
    for (const scenario of scenarios) {
      const measured = runs.get(scenario.id)!;
      for (const server of servers) {
        if (run === 1) await warmUp(server, monitor, () => load.runAutocannon(server, token, scenario, options.warmup), log);
        measured[server.name as 'service' | 'baseline'].push(await measure(server, monitor, () => load.runAutocannon(server, token, scenario, options.duration)));
      }
      const line = (name: string, m: Measurement) =>
        `${name} ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, ${m.non2xx} non-2xx, ${m.errors} errors`;
      const [service, baseline] = [measured.service.at(-1)!, measured.baseline.at(-1)!];
      log(
        `${scenario.id} (run ${run}/${options.runs}): ${line('service', service)} | ${line('baseline', baseline)} | ratio ${round(service.requestsPerSecond / baseline.requestsPerSecond, 3)}`,
      );
    }
  }
  return scenarios.map((scenario) => summarizeRuns(scenario, runs.get(scenario.id)!));
}

async function measureFixedRate(servers: ManagedProcess[], list: Scenario, token: string, monitor: DatabaseMonitor, rate: number): Promise<FixedRate> {
  const basis = `${FIXED_RATE_SHARE * 100}% of the service’s measured list throughput`;
  const fixedRate = { scenario: 'list', ratePerSecond: rate, basis, autocannon: {}, paced: {} } as FixedRate;
  for (const driver of ['autocannon', 'paced'] as const) {
    for (const server of servers) {
      fixedRate[driver][server.name as 'service' | 'baseline'] = await measure(server, monitor, () =>
        driver === 'paced' ? load.runPaced(server, token, list, options.duration, rate) : load.runAutocannon(server, token, list, options.duration, rate),
      );
    }
    log(`list at a fixed ${rate} req/s (${driver}): service p99 ${fixedRate[driver].service.latencyMs.p99} ms, baseline p99 ${fixedRate[driver].baseline.latencyMs.p99} ms`);
  }
  return fixedRate;
}

main()
  .then(async () => {
    await teardown.cleanUp();
    clearTimeout(watchdog);
    log('done');
  })
  .catch((error: unknown) => teardown.abort(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)}`, 1));
