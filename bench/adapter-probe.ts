/**
 * `npm run bench:adapters`: what the HTTP layer alone costs per request. One read route
 * (bench/adapter-probe-server.ts) on bare `node:http`, on Nest with Express (out of the box, and
 * with the service's adapter) and on Nest with Fastify, each driven closed loop by autocannon at 32 connections;
 * reports throughput and the server process's CPU per request, the median of `--rounds` runs.
 * Needs a PostgreSQL server (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres);
 * it reads no table. See docs/PERFORMANCE.md.
 *
 *   npm run bench:adapters -- [--rounds N] [--duration S]
 */
import { parseArgs } from 'node:util';
import { createLog, sleep } from './clock';
import { LoadGenerator } from './load';
import { round } from './measure';
import { cpuMs } from './proc-stats';
import { startServer, Teardown } from './processes';
import { table } from './report';

const SERVERS = ['node-http', 'nest-express', 'nest-express-service', 'nest-fastify'];
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '8' } } });
const rounds = Number(values.rounds);
const duration = Number(values.duration);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(duration) || duration < 1) {
  console.error('usage: npm run bench:adapters -- [--rounds N] [--duration S]   (whole numbers ≥ 1)');
  process.exit(64);
}

const log = createLog(performance.now());
const load = new LoadGenerator(32);
const teardown = new Teardown(load, true, log);
const watchdog = teardown.guard(SERVERS.length * rounds * (duration + 30) + 60);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scenario = { id: 'probe', title: 'one row by id', paths: Array.from({ length: 100 }, (_, i) => `/probe/item_${i}`) };
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function main(): Promise<void> {
  const samples = new Map(SERVERS.map((name) => [name, { requestsPerSecond: [] as number[], cpuMsPerRequest: [] as number[] }]));
  // Rounds interleave the servers, so that a slower minute of a shared machine hits all three.
  for (let r = 1; r <= rounds; r++) {
    for (const name of SERVERS) {
      const server = await startServer(
        name,
        ['-r', 'ts-node/register/transpile-only', 'bench/adapter-probe-server.ts'],
        {
          PROBE_SERVER: name,
          DATABASE_URL: databaseUrl,
          NODE_ENV: 'production',
          TS_NODE_PROJECT: 'tsconfig.json',
        },
        teardown,
        log,
      );
      await load.runAutocannon(server, 'probe', scenario, 2);
      const before = cpuMs(server.pid);
      const outcome = await load.runAutocannon(server, 'probe', scenario, duration);
      const cpuPerRequest = (cpuMs(server.pid) - before) / outcome.responses;
      if (outcome.non2xx + outcome.errors > 0) throw new Error(`${name}: ${outcome.non2xx} non-2xx, ${outcome.errors} errors`);
      samples.get(name)!.requestsPerSecond.push(outcome.requestsPerSecond);
      samples.get(name)!.cpuMsPerRequest.push(cpuPerRequest);
      log(`round ${r}/${rounds} ${name}: ${outcome.requestsPerSecond.toFixed(0)} req/s, server CPU ${cpuPerRequest.toFixed(4)} ms/req`);
      await server.stop();
      teardown.servers.splice(teardown.servers.indexOf(server), 1);
      await sleep(500);
    }
  }
  const rows = SERVERS.map((name) => {
    const { requestsPerSecond, cpuMsPerRequest } = samples.get(name)!;
    return [name, round(median(requestsPerSecond), 0).toFixed(0), median(cpuMsPerRequest).toFixed(4)];
  });
  console.log(`\nMedian of ${rounds} rounds, ${duration} s each, 32 connections:\n`);
  console.log(table([['Server', 'req/s', 'server CPU ms/req'], ...rows]));
}

main()
  .then(async () => {
    await teardown.cleanUp();
    clearTimeout(watchdog);
  })
  .catch((error: unknown) => teardown.abort(`bench:adapters failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1));
