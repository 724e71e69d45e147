import type { Measurement } from '../../bench/measure';
import { summarizeRuns, verdictOf } from '../../bench/report';

/** A reading with only what the summary and the verdict read. */
function reading(requestsPerSecond: number, serverCpuMs: number, otherCpuPercent = 1): Measurement {
  const latency = { p50: 1, p97_5: 2, p99: 3, max: 4, mean: 1 } as unknown as Measurement['latencyMs'];
  return {
    requestsPerSecond,
    latencyMs: latency,
    autocannonLatencyMs: null,
    requests: 1000,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    cpuMsPerRequest: { server: serverCpuMs, database: 1, loadGenerator: 0.1 },
    databaseTransactionsPerRequest: 1,
    machineCpuPercent: 80,
    otherCpuPercent,
  };
}

const scenario = (id: string) => ({ id, title: id, paths: [`/${id}`] });

describe('the bench report', () => {
  it('sums up runs by the median ratio, from one run whose readings stay together, with the lowest and highest', () => {
    const result = summarizeRuns(scenario('list'), {
      service: [reading(80, 2), reading(90, 1.2), reading(60, 2.4)],
      baseline: [reading(100, 1), reading(100, 1), reading(100, 1)],
    });
    expect({ ratio: result.ratio, cpuRatio: result.cpuRatio, spread: result.spread, medianRun: result.service.requestsPerSecond }).toEqual({
      ratio: 0.8,
      cpuRatio: 2,
      spread: { ratio: [0.6, 0.9], cpuRatio: [1.2, 2.4] },
      medianRun: 80,
    });
  });

  it('judges each scenario against its targets on a quiet machine', () => {
    const list = summarizeRuns(scenario('list'), { service: [reading(90, 1.4)], baseline: [reading(100, 1)] });
    const detail = summarizeRuns(scenario('detail'), { service: [reading(50, 3)], baseline: [reading(100, 1)] });
    const verdict = verdictOf([list, detail], 1);
    expect(verdict).toMatch(/^Verdict \(one run: --runs 3 for one noise cannot decide; other work at most 1%\)/);
    const row = (...cells: string[]) => new RegExp(`^\\| ${cells.map((cell) => ` *${cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} *`).join('\\|')}\\|$`, 'm');
    expect(verdict).toMatch(row('list', '0.90×', '≥ 0.85×', 'met', '1.40×', '≤ 1.5×', 'met'));
    expect(verdict).toMatch(row('detail', '0.50×', '≥ 0.7×', 'MISSED', '3.00×', '≤ 1.5×', 'MISSED'));
  });

  it('gives no verdict when other work took more than 10% of the machine during any run, and says so', () => {
    const busy = summarizeRuns(scenario('list'), { service: [reading(90, 1.4), reading(90, 1.4, 12)], baseline: [reading(100, 1), reading(100, 1)] });
    expect(verdictOf([busy], 2)).toMatch(/^No verdict: other work used up to 12% of the machine's CPU during a measurement \(more than 10%\)/);
  });
});
