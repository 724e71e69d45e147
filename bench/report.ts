import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataInfo } from './database';
import { type Measurement, round } from './measure';
import type { BenchOptions } from './options';
import { ROOT } from './processes';

export const RESULTS_FILE = path.join(ROOT, 'bench/results/latest.json');

export interface ScenarioResult {
  id: string;
  title: string;
  examplePath: string;
  distinctPaths: number;
  /** The run whose throughput ratio is the median: one consistent set of readings per server. */
  service: Measurement;
  baseline: Measurement;
  /** service / baseline requests per second, the median over the runs. */
  ratio: number;
  /** service / baseline server CPU per request, the median over the runs. */
  cpuRatio: number;
  /** The lowest and highest of each over the runs. */
  spread: { ratio: [number, number]; cpuRatio: [number, number] };
  /** Every run's readings, in order. */
  runs: { service: Measurement[]; baseline: Measurement[] };
}

/**
 * What issue 23 asks of each scenario (docs/PERFORMANCE.md): the service's throughput at least
 * this share of the baseline's, and its server CPU per request at most CPU_TARGET times the
 * baseline's. Judged on the median of the runs, and only on a quiet machine (QUIET_ENOUGH).
 */
const THROUGHPUT_TARGETS: Readonly<Record<string, number>> = { list: 0.85, list_window: 0.85, list_offset_10000: 0.85, detail: 0.7, document: 0.7 };
const CPU_TARGET = 1.5;
/** Other work (% of the machine's CPU) above which a comparison says nothing about the code. */
const QUIET_ENOUGH = 10;

/** A scenario's runs, summed up by their medians and spreads. */
export function summarizeRuns(scenario: { id: string; title: string; paths: string[] }, runs: { service: Measurement[]; baseline: Measurement[] }): ScenarioResult {
  const ratios = runs.service.map((service, run) => service.requestsPerSecond / runs.baseline[run].requestsPerSecond);
  const cpuRatios = runs.service.map((service, run) => service.cpuMsPerRequest.server / runs.baseline[run].cpuMsPerRequest.server);
  const medianRun = ratios.indexOf(median(ratios));
  return {
    id: scenario.id,
    title: scenario.title,
    examplePath: scenario.paths[0],
    distinctPaths: scenario.paths.length,
    service: runs.service[medianRun],
    baseline: runs.baseline[medianRun],
    ratio: round(median(ratios), 3),
    cpuRatio: round(median(cpuRatios), 3),
    spread: { ratio: [round(Math.min(...ratios), 3), round(Math.max(...ratios), 3)], cpuRatio: [round(Math.min(...cpuRatios), 3), round(Math.max(...cpuRatios), 3)] },
    runs,
  };
}

/** The middle value; of an even count, the lower middle one (a value that was measured). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export interface FixedRate {
  scenario: 'list';
  ratePerSecond: number;
  basis: string;
  autocannon: Record<'service' | 'baseline', Measurement>;
  paced: Record<'service' | 'baseline', Measurement>;
}

/** What RESULTS_FILE records of a run; writeResults adds the date, the commit and the machine. */
export interface RunRecord {
  postgresSettings: Record<string, string>;
  loadAverageAtStart: number[];
  options: BenchOptions;
  data: DataInfo;
  scenarios: ScenarioResult[];
  fixedRate: FixedRate;
  peakRssMiB: { service: number; baseline: number };
  totalSeconds: number;
}

/** A Markdown table; the first two columns left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((width, column) => (column < 2 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join(
    '\n',
  );
}

export function printReport(results: ScenarioResult[], fixed: FixedRate, rss: { service: number; baseline: number }, runs: number): void {
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
    add(runs > 1 ? `${result.title} (median run)` : result.title, 'service', result.service, result.ratio);
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

  // With --replica: the replica's part of the database CPU, and its transactions (the reads it served).
  const replica = results[0].service.cpuMsPerRequest.replica !== undefined;
  const cost = [
    [
      'Scenario',
      'Server',
      'server CPU ms/req',
      'DB CPU ms/req',
      ...(replica ? ['of it replica'] : []),
      'load gen CPU ms/req',
      'DB xacts/req',
      ...(replica ? ['replica xacts/req'] : []),
      'machine CPU %',
      'other work CPU %',
    ],
  ];
  for (const result of results) {
    for (const server of ['service', 'baseline'] as const) {
      const m = result[server];
      cost.push([
        server === 'service' ? result.id : '',
        server,
        fmt(m.cpuMsPerRequest.server, 3),
        fmt(m.cpuMsPerRequest.database, 3),
        ...(replica ? [fmt(m.cpuMsPerRequest.replica ?? NaN, 3)] : []),
        fmt(m.cpuMsPerRequest.loadGenerator, 3),
        fmt(m.databaseTransactionsPerRequest, 2),
        ...(replica ? [fmt(m.replicaTransactionsPerRequest ?? NaN, 2)] : []),
        String(m.machineCpuPercent),
        String(m.otherCpuPercent),
      ]);
    }
  }
  console.log(`\nWhere the time goes (CPU per request from /proc, DB including parallel workers; transactions from pg_stat_database, approximate):\n${table(cost)}`);
  console.log(`\n${verdictOf(results, runs)}`);
}

/** Each scenario against THROUGHPUT_TARGETS and CPU_TARGET, with the spread of the runs; none on a busy machine. */
export function verdictOf(results: ScenarioResult[], runs: number): string {
  const busiest = Math.max(...results.flatMap((result) => [...result.runs.service, ...result.runs.baseline].map((m) => m.otherCpuPercent)));
  if (busiest > QUIET_ENOUGH) {
    return (
      `No verdict: other work used up to ${busiest}% of the machine's CPU during a measurement (more than ${QUIET_ENOUGH}%), ` +
      'which flatters whichever side waits more. Rerun on a quiet machine.'
    );
  }
  const range = ([low, high]: [number, number]) => (runs > 1 ? ` (${low.toFixed(2)}–${high.toFixed(2)})` : '');
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const rows = [['Scenario', 'Throughput vs baseline', 'Target', 'Met', 'Server CPU vs baseline', 'Target', 'Met']];
  for (const result of results) {
    const target = THROUGHPUT_TARGETS[result.id];
    rows.push([
      result.id,
      `${result.ratio.toFixed(2)}×${range(result.spread.ratio)}`,
      `≥ ${target}×`,
      met(result.ratio >= target),
      `${result.cpuRatio.toFixed(2)}×${range(result.spread.cpuRatio)}`,
      `≤ ${CPU_TARGET}×`,
      met(result.cpuRatio <= CPU_TARGET),
    ]);
  }
  const basis = runs > 1 ? `median of ${runs} runs, lowest–highest in brackets` : 'one run: --runs 3 for one noise cannot decide';
  return `Verdict (${basis}; other work at most ${busiest}%):\n${table(rows)}`;
}

function gitDescribe(): string | null {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export function writeResults(run: RunRecord): void {
  const report = {
    date: new Date().toISOString(),
    commit: gitDescribe(),
    machine: {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      postgres: run.postgresSettings,
      loadAverageAtStart: run.loadAverageAtStart,
      note: 'database, service, baseline and load generator on the same machine',
    },
    options: {
      scale: run.options.scale,
      duration: run.options.duration,
      warmup: run.options.warmup,
      connections: run.options.connections,
      runs: run.options.runs,
      baseline: run.options.baseline,
      replica: run.options.replica,
    },
    data: {
      database: run.data.database,
      reused: run.data.reused,
      encounters: run.data.encounters,
      generationSeconds: run.data.generationSeconds,
      vacuumAnalyzeSeconds: run.data.vacuumSeconds,
      largestOrganization: run.data.largestOrganization,
      largestOrganizationEncounters: run.data.largestOrganizationEncounters,
    },
    scenarios: run.scenarios,
    fixedRate: run.fixedRate,
    peakRssMiB: run.peakRssMiB,
    totalSeconds: run.totalSeconds,
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
}
