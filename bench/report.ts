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
  service: Measurement;
  baseline: Measurement;
  /** service / baseline requests per second. */
  ratio: number;
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

export function printReport(results: ScenarioResult[], fixed: FixedRate, rss: { service: number; baseline: number }): void {
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
    options: { scale: run.options.scale, duration: run.options.duration, warmup: run.options.warmup, connections: run.options.connections },
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
