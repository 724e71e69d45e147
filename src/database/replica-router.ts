import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { errorSummary, isDatabaseUnavailable, isStatementCancelled } from '../common/database-unavailable';
import { RepeatedLogSampler, suppressedNote } from '../common/repeated-log-sampler';
import { ReplicaReads } from '../common/replica-reads';
import type { PostgresConfig } from '../config/app-config';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import { PrimaryPositions } from './primary-positions';
import { ProbeConnection } from './probe-connection';
import { PRIMARY_SAMPLE_SQL, type PrimarySampleRow, ReadReplica, type ReplicaStanding } from './read-replica';

/** The longest a probe waits for an answer: a replica silent for longer is not serving. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * How often the primary's position and each replica's are read: a quarter of the bound, at
 * most every 250 ms, so that lag is measured well inside it (a caught-up replica reads as at
 * most two intervals old between probes).
 */
export function probeIntervalMs(maxLagMs: number): number {
  return Math.min(250, Math.floor(maxLagMs / 4));
}

/** Without `DATABASE_REPLICA_URLS` (and in the CLI): every read on the primary, as if there were no replicas. */
export class PrimaryReads extends ReplicaReads {
  constructor(private readonly primary: DataSource) {
    super();
  }

  query<Row>(text: string, values: readonly unknown[]): Promise<Row[]> {
    return this.primary.query<Row[]>(text, values as unknown[]);
  }
}

/**
 * Spreads the reads over the replicas that are fresh (within `DATABASE_REPLICA_MAX_LAG_MS` of
 * the primary, by WAL positions: `PrimaryPositions`), in turn; with none fresh, or when a read
 * fails on one for want of the server, the read goes to the primary. A replica rejoins at its
 * first probe that finds it answering and caught up. Never an error a partner would not have
 * had from the primary: a read the primary would also cancel for its statement timeout is the
 * only one not retried there.
 */
export class ReplicaRouter extends ReplicaReads implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplicas');
  private readonly failures = new RepeatedLogSampler();
  private readonly replicas: ReadReplica[];
  private readonly maxLagMs: number;
  private readonly intervalMs: number;
  private readonly positions: PrimaryPositions;
  private readonly primaryProbe: ProbeConnection;
  private primaryIdentity: PrimarySampleRow | null = null;
  private readonly metrics: ReplicaMetrics;
  /** Standings as last logged, so that a line is written when one changes, not at every probe. */
  private readonly logged = new Map<ReadReplica, ReplicaStanding>();
  private next = 0;
  private readonly stopping = new AbortController();
  private probing: Promise<void>[] = [];

  constructor(
    private readonly primary: DataSource,
    config: PostgresConfig,
    registry: MetricsRegistry,
  ) {
    super();
    this.maxLagMs = config.replicaMaxLagMs;
    this.intervalMs = probeIntervalMs(config.replicaMaxLagMs);
    // Twice the bound (at least 10 s) of samples: lag up to there is measured, beyond it reads as +Inf.
    this.positions = new PrimaryPositions(Math.max(2 * config.replicaMaxLagMs, 10_000));
    this.primaryProbe = new ProbeConnection(config.url.reveal(), 'charthero-replica-probe', PROBE_TIMEOUT_MS);
    this.replicas = config.replicaUrls.map((url) => new ReadReplica(config, url, PROBE_TIMEOUT_MS));
    this.metrics = new ReplicaMetrics(registry, this.replicas, this.maxLagMs);
  }

  async query<Row>(text: string, values: readonly unknown[]): Promise<Row[]> {
    const replica = this.choose();
    if (replica !== null) {
      try {
        const rows = await replica.query<Row>(text, values);
        this.metrics.readOn(replica.name);
        return rows;
      } catch (error) {
        if (isStatementCancelled(error)) throw error;
        this.noteFailedRead(replica, error);
      }
    }
    this.metrics.readOn('primary');
    return this.primary.query<Row[]>(text, values as unknown[]);
  }

  onApplicationBootstrap(): void {
    this.probing = [this.every(() => this.samplePrimary()), ...this.replicas.map((replica) => this.every(() => this.probe(replica)))];
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.probing);
    await this.primaryProbe.close();
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }

  /** The next fresh replica in turn, or null; every replica passed over for lag or an error counts a skipped read. */
  private choose(): ReadReplica | null {
    const now = performance.now();
    const count = this.replicas.length;
    let chosen: ReadReplica | null = null;
    for (let offset = 0; offset < count; offset++) {
      const index = (this.next + offset) % count;
      const replica = this.replicas[index];
      const standing = replica.standing(now, this.maxLagMs);
      if (standing === 'serving') {
        if (chosen === null) {
          chosen = replica;
          this.next = (index + 1) % count;
        }
      } else if (standing !== 'starting') {
        this.metrics.skipped(replica.name, standing);
      }
    }
    return chosen;
  }

  /**
   * A read failed on `replica`: the primary answers it. A server that cannot be reached serves
   * nothing until its next probe answers; any other failure (a query cancelled by a conflict
   * with replay, a routine the standby has not replayed yet) costs only this read.
   */
  private noteFailedRead(replica: ReadReplica, error: unknown): void {
    this.metrics.skipped(replica.name, 'error');
    if (isDatabaseUnavailable(error)) {
      replica.markFailed(error);
      this.noteStanding(replica);
      return;
    }
    const suppressed = this.failures.admit(`${replica.name} ${errorSummary(error)}`);
    if (suppressed !== null) this.logger.warn(`A read failed on replica ${replica.name} (${errorSummary(error)}); the primary answered it${suppressedNote(suppressed)}.`);
  }

  private async samplePrimary(): Promise<void> {
    const at = performance.now();
    try {
      const [row] = await this.primaryProbe.query<PrimarySampleRow>(PRIMARY_SAMPLE_SQL);
      this.positions.record({ at, position: BigInt(row.position) });
      this.primaryIdentity = row;
    } catch {
      // Readiness reports a primary that does not answer. Until it answers again no replica is
      // seen fresher, and after the bound every read goes to the primary, as without replicas.
    }
  }

  private async probe(replica: ReadReplica): Promise<void> {
    await replica.observe(this.positions, this.primaryIdentity);
    this.noteStanding(replica);
  }

  /** One line when a replica starts or stops serving reads. */
  private noteStanding(replica: ReadReplica): void {
    const now = performance.now();
    const standing = replica.standing(now, this.maxLagMs);
    const previous = this.logged.get(replica) ?? 'starting';
    if (standing === previous || standing === 'starting') return;
    this.logged.set(replica, standing);
    const elsewhere = 'its reads go to the primary or another replica until';
    if (standing === 'serving') this.logger.log(`Replica ${replica.name} serves encounter reads (lag ${formatLag(replica.lagSeconds(now))}).`);
    else if (standing === 'lag')
      this.logger.warn(
        `Replica ${replica.name} is ${formatLag(replica.lagSeconds(now))} behind the primary, more than DATABASE_REPLICA_MAX_LAG_MS (${this.maxLagMs} ms): ${elsewhere} it catches up.`,
      );
    else this.logger.warn(`Replica ${replica.name} serves no reads, ${replica.reason}: ${elsewhere} it answers again.`);
  }

  /**
   * Runs `work` now and then every interval, until shutdown. An unexpected failure of one round
   * is logged (sampled) and the next round runs: the loop never ends early, and never takes the
   * process down with an unhandled rejection.
   */
  private async every(work: () => Promise<void>): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await work();
      } catch (error) {
        const suppressed = this.failures.admit(`probe ${errorSummary(error)}`);
        if (suppressed !== null) this.logger.error(`A replica probe failed unexpectedly (${errorSummary(error)})${suppressedNote(suppressed)}.`);
      }
      await sleep(this.intervalMs, undefined, { signal, ref: false }).catch(() => undefined);
    }
  }
}

function formatLag(seconds: number): string {
  return Number.isFinite(seconds) ? `${Math.round(seconds * 1000)} ms` : 'further than the primary positions kept';
}

/** The metrics of docs/operations.md "Read replicas". */
class ReplicaMetrics {
  private readonly reads: Counter<'target'>;
  private readonly skips: Counter<'replica' | 'reason'>;

  constructor(registry: MetricsRegistry, replicas: readonly ReadReplica[], maxLagMs: number) {
    this.reads = new Counter({
      name: 'charthero_db_reads_total',
      help: "Encounter-route reads (list, detail, document, transcript, the audio route's document check) by where they ran: primary, or a replica's host:port. Counted with DATABASE_REPLICA_URLS only.",
      labelNames: ['target'] as const,
      registers: [registry],
    });
    this.skips = new Counter({
      name: 'charthero_db_replica_skipped_reads_total',
      help: 'Encounter-route reads a replica did not serve, by reason: lag (behind by more than DATABASE_REPLICA_MAX_LAG_MS) or error (not answering, not a standby of the primary, or the read failed there and the primary answered it).',
      labelNames: ['replica', 'reason'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'charthero_db_replica_lag_seconds',
      help: 'How far behind the primary each replica is, by WAL positions: 0 when its last probe found it caught up, else the time since the newest primary position it was seen to hold (+Inf: older than the positions kept); NaN when it does not answer.',
      labelNames: ['replica'] as const,
      registers: [registry],
      collect() {
        const now = performance.now();
        for (const replica of replicas) this.set({ replica: replica.name }, replica.lagSeconds(now));
      },
    });
    new Gauge({
      name: 'charthero_db_replica_serving',
      help: 'Whether a replica takes encounter reads now (1): it answers, is a standby of the primary and within DATABASE_REPLICA_MAX_LAG_MS.',
      labelNames: ['replica'] as const,
      registers: [registry],
      collect() {
        const now = performance.now();
        for (const replica of replicas) this.set({ replica: replica.name }, replica.standing(now, maxLagMs) === 'serving' ? 1 : 0);
      },
    });
  }

  readOn(target: string): void {
    this.reads.inc({ target });
  }

  skipped(replica: string, reason: 'lag' | 'error'): void {
    this.skips.inc({ replica, reason });
  }
}
