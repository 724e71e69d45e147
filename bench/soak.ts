/**
 * `npm run bench -- --soak S`: the service alone, as deployed (JSON logs, metrics, the webhook
 * dispatcher), under mixed traffic (every scenario's requests, interleaved) at a fixed rate of
 * half its measured list throughput, for S seconds. Each minute records its p99, its errors and
 * the median of its resident memory (sampled every second): a leak shows as memory that keeps
 * growing once warm. The run fails on any error or on the last minute's median 10% above the
 * first's.
 * Results: bench/results/soak-latest.json. See docs/PERFORMANCE.md.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from './clock';
import type { DataInfo } from './database';
import type { LoadGenerator } from './load';
import { round } from './measure';
import type { BenchOptions } from './options';
import { memoryMiB } from './proc-stats';
import { type ManagedProcess, ROOT } from './processes';
import { table } from './report';
import { buildScenarios, type Scenario } from './scenarios';

const SOAK_RESULTS_FILE = path.join(ROOT, 'bench/results/soak-latest.json');
/** The soak's rate, as a share of the service's closed-loop list throughput. */
const RATE_SHARE = 0.5;
/** Paced traffic before the first minute: pools, caches and JIT settle. */
const SETTLE_SECONDS = 20;
/** What the soak must show (issue 11): no error, resident memory growing less than this. */
const MAX_RSS_GROWTH = 0.1;

interface SoakMinute {
  minute: number;
  requests: number;
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  /** The errors by kind: an HTTP status, a socket error code, `timeout`. */
  failures: Record<string, number>;
  /** Resident memory sampled every second of the minute: its median and its peak. */
  rssMedianMiB: number;
  rssMaxMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
}

function p99(latencies: number[]): number {
  if (latencies.length === 0) return 0;
  const sorted = [...latencies].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)], 1);
}

/** Every scenario's paths, one of each in turn: list, window, offset, detail, document, list… */
function mixedTraffic(scenarios: Scenario[]): Scenario {
  const longest = Math.max(...scenarios.map((scenario) => scenario.paths.length));
  const paths = Array.from({ length: longest }, (_, index) => scenarios.map((scenario) => scenario.paths[index % scenario.paths.length])).flat();
  return { id: 'mixed', title: 'Every scenario, interleaved', paths };
}

/** Runs the soak against `service`; true when it met the bounds. */
export async function runSoak(service: ManagedProcess, data: DataInfo, options: BenchOptions, load: LoadGenerator, log: Log): Promise<boolean> {
  const seconds = options.soak!;
  const scenarios = buildScenarios(data);
  await load.runAutocannon(service, data.token, scenarios[0], options.warmup);
  const throughput = await load.runAutocannon(service, data.token, scenarios[0], options.duration);
  const rate = Math.max(1, Math.round(RATE_SHARE * throughput.requestsPerSecond));
  log(`soak: list throughput ${round(throughput.requestsPerSecond, 0)} req/s; mixed traffic at ${rate} req/s for ${seconds} s`);

  const mixed = mixedTraffic(scenarios);
  await load.runPaced(service, data.token, mixed, SETTLE_SECONDS, rate);

  const minutes: SoakMinute[] = [];
  for (let elapsed = 0, minute = 1; elapsed < seconds; elapsed += 60, minute++) {
    // Resident memory swings by tens of MiB with each major GC: one reading says little, a
    // minute's median says where it sits.
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(memoryMiB(service.pid, 'VmRSS')), 1_000);
    const outcome = await load.runPaced(service, data.token, mixed, Math.min(60, seconds - elapsed), rate);
    clearInterval(sampler);
    const result = {
      minute,
      requests: outcome.responses + outcome.errors,
      requestsPerSecond: round(outcome.requestsPerSecond, 1),
      p99Ms: p99(outcome.latencies),
      errors: outcome.errors + outcome.non2xx,
      failures: outcome.failures ?? {},
      rssMedianMiB: round(median(rss), 1),
      rssMaxMiB: round(Math.max(...rss), 1),
    };
    minutes.push(result);
    log(
      `soak minute ${minute}: ${result.requests} requests, p99 ${result.p99Ms} ms, ${result.errors} errors ${JSON.stringify(result.failures)}, RSS median ${result.rssMedianMiB} MiB, peak ${result.rssMaxMiB} MiB`,
    );
  }

  const rssAtStartMiB = minutes[0].rssMedianMiB;
  const rssAtEndMiB = minutes[minutes.length - 1].rssMedianMiB;
  const rssGrowth = round((rssAtEndMiB - rssAtStartMiB) / rssAtStartMiB, 3);
  const errors = minutes.reduce((sum, minute) => sum + minute.errors, 0);
  const passed = errors === 0 && rssGrowth < MAX_RSS_GROWTH;
  writeFileSync(
    SOAK_RESULTS_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        scale: options.scale,
        seconds,
        ratePerSecond: rate,
        basis: `${RATE_SHARE * 100}% of the service’s list throughput (${round(throughput.requestsPerSecond, 0)} req/s)`,
        rssAtStartMiB,
        rssAtEndMiB,
        rssGrowth,
        errors,
        passed,
        minutes,
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `\n${table([
      ['Minute', 'Requests', 'req/s', 'p99 ms', 'Errors', 'RSS median MiB', 'RSS peak MiB'],
      ...minutes.map((m) => [String(m.minute), String(m.requests), String(m.requestsPerSecond), String(m.p99Ms), String(m.errors), String(m.rssMedianMiB), String(m.rssMaxMiB)]),
    ])}`,
  );
  console.log(
    `\nSoak ${passed ? 'passed' : 'FAILED'}: ${errors} errors; RSS median ${rssAtStartMiB} MiB in the first minute → ${rssAtEndMiB} MiB in the last (${round(rssGrowth * 100, 1)}%, bound ${MAX_RSS_GROWTH * 100}%); results in ${path.relative(ROOT, SOAK_RESULTS_FILE)}`,
  );
  return passed;
}
