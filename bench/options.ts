import { parseArgs } from 'node:util';

export interface BenchOptions {
  scale: number;
  duration: number;
  warmup: number;
  connections: number;
  reuse: boolean;
  keep: boolean;
  /** `--soak S`: instead of the comparison, S seconds of mixed traffic at a fixed rate (bench/soak.ts). */
  soak: number | null;
  /** `--runs N`: each scenario measured N times, service and baseline in turn; the report gives medians and spreads. */
  runs: number;
  /**
   * `--baseline equal` (default): the baseline does the contract's work too (an audit record
   * committed before each 2xx, an access line per request); `bare`: without either, as before issue 23.
   */
  baseline: 'equal' | 'bare';
  /**
   * `--replica`: on a primary and a streaming standby of the bench's own (made with PostgreSQL's
   * server binaries, `BENCH_POSTGRES_BIN`), the service reading the encounter routes from the
   * standby (`DATABASE_REPLICA_URLS`); the baseline reads the primary.
   */
  replica: boolean;
}

function usageError(message: string): never {
  console.error(
    `bench: ${message}\nusage: npm run bench -- [--scale N] [--duration S] [--warmup S] [--connections N] [--reuse] [--keep] [--soak S] [--runs N] [--baseline equal|bare] [--replica]`,
  );
  process.exit(64);
}

/** The command line's options; exits with a usage message (64) on a bad one. */
export function parseOptions(): BenchOptions {
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
        soak: { type: 'string' },
        runs: { type: 'string', default: '1' },
        baseline: { type: 'string', default: 'equal' },
        replica: { type: 'boolean', default: false },
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
  if (values.baseline !== 'equal' && values.baseline !== 'bare') usageError(`--baseline must be equal or bare, got "${values.baseline}"`);
  if (values.replica && (values.reuse || values.keep)) usageError('--replica benchmarks a cluster of its own, removed at the end: --reuse and --keep do not apply');
  if (values.replica && process.env.BENCH_DATABASE_URL) usageError('--replica benchmarks a cluster of its own: unset BENCH_DATABASE_URL');
  const quick = scale < 0.1;
  return {
    scale,
    duration: number('duration', values.duration ?? (quick ? '4' : '10'), true),
    warmup: number('warmup', values.warmup ?? (quick ? '2' : '3'), true),
    connections: number('connections', values.connections, true),
    reuse: values.reuse,
    // A reused data set is kept for the next run too.
    keep: values.keep || values.reuse,
    soak: values.soak === undefined ? null : number('soak', values.soak, true),
    runs: number('runs', values.runs, true),
    baseline: values.baseline,
    replica: values.replica,
  };
}
