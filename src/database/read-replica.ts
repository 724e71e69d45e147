import { DataSource } from 'typeorm';
import { errorSummary } from '../common/database-unavailable';
import type { PostgresConfig } from '../config/app-config';
import type { Secret } from '../config/secret';
import { replicaDataSourceOptions } from './data-source-options';
import type { PrimaryPositions } from './primary-positions';
import { ProbeConnection } from './probe-connection';

/**
 * Where a read may go at a given moment: `serving`; `lag` (further behind than the bound);
 * `error` (not answering, not a standby of the primary's database, or its last read failed);
 * `starting` (not probed yet).
 */
export type ReplicaStanding = 'serving' | 'lag' | 'error' | 'starting';

/** The server and database a probe answered from: a standby of the primary has the primary's. */
interface Identity {
  /** `pg_control_system()`'s system identifier: the same on a primary and its physical standbys. */
  system: string;
  database: string;
}

/**
 * How long after a failed opening of its DataSource the next is tried. TypeORM opens the
 * standby's pool before the primary's, and leaves it open when the rest fails: its connection
 * lingers until the pool's idle timeout, so attempts are spaced out rather than made at every probe.
 */
const REOPEN_AFTER_MS = 5_000;

/** What the primary's sampler reads: its WAL position, and who it is. */
export const PRIMARY_SAMPLE_SQL = `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS position, current_database() AS database,
  (SELECT system_identifier::text FROM pg_control_system()) AS system`;
export type PrimarySampleRow = Identity & { position: string };

/** What a replica's probe reads: whether it is still a standby, how far it has replayed, and who it is. */
const REPLICA_PROBE_SQL = `SELECT pg_is_in_recovery() AS standby, (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text AS replayed,
  current_database() AS database, (SELECT system_identifier::text FROM pg_control_system()) AS system`;
type ReplicaProbeRow = Identity & { standby: boolean; replayed: string | null };

/**
 * One streaming replica of `DATABASE_REPLICA_URLS`: its DataSource (opened at its first good
 * probe, so that a replica down at start delays nothing), its probe connection, and how fresh
 * it was last seen. Times are `performance.now()`: lag is real time elapsing in other
 * processes, and a monotonic clock does not jump when the machine's clock is set.
 */
export class ReadReplica {
  /** `host:port`: how logs and metrics name it (the URL may hold a password). */
  readonly name: string;
  private readonly dataSource: DataSource;
  private readonly probe: ProbeConnection;
  /** The latest time by which it was seen to hold every write the primary had committed; null: never seen so. */
  private freshAsOf: number | null = null;
  /** Why it serves no read; null: it answered its last probe as a standby of the primary's database. */
  private problem: string | null = null;
  /** Its last probe found it at the primary's newest sampled position. */
  private caughtUp = false;
  /** When its DataSource may next be opened, after a failed attempt. */
  private openableAt = 0;

  constructor(primary: PostgresConfig, url: Secret, probeTimeoutMs: number) {
    const parsed = new URL(url.reveal());
    this.name = `${parsed.hostname}:${parsed.port || '5432'}`;
    this.dataSource = new DataSource(replicaDataSourceOptions(primary, url));
    this.probe = new ProbeConnection(url.reveal(), 'charthero-replica-probe', probeTimeoutMs);
  }

  /** Whether a read at `now` may go here, given the lag bound. */
  standing(now: number, maxLagMs: number): ReplicaStanding {
    if (this.problem !== null) return 'error';
    // Its DataSource is opened at its first good probe.
    if (!this.dataSource.isInitialized) return 'starting';
    return this.freshAsOf !== null && now - this.freshAsOf <= maxLagMs ? 'serving' : 'lag';
  }

  /** Why it serves no read, for the log line of its change of standing. */
  get reason(): string | null {
    return this.problem;
  }

  /**
   * Seconds behind the primary at `now`, as reads are routed by it: 0 when its last probe found
   * it caught up, else the time since the newest primary position it was seen to hold (+Inf
   * when behind every sample kept); NaN when it does not answer.
   */
  lagSeconds(now: number): number {
    if (this.problem !== null || !this.dataSource.isInitialized) return Number.NaN;
    if (this.caughtUp) return 0;
    return this.freshAsOf === null ? Number.POSITIVE_INFINITY : (now - this.freshAsOf) / 1000;
  }

  /** Runs a read on the standby, through a query runner of mode `slave`. */
  async query<Row>(text: string, values: readonly unknown[]): Promise<Row[]> {
    const runner = this.dataSource.createQueryRunner('slave');
    try {
      return (await runner.query(text, values as unknown[])) as Row[];
    } finally {
      await runner.release();
    }
  }

  /** A read failed for want of the server: it serves nothing until a probe finds it answering again. */
  markFailed(error: unknown): void {
    this.problem = `a read failed: ${errorSummary(error)}`;
  }

  /**
   * Asks the replica how far it has replayed, and measures that against the primary's sampled
   * positions (`positions`) and identity (`primary`, null until the primary has answered once).
   */
  async observe(positions: PrimaryPositions, primary: Identity | null): Promise<void> {
    let row: ReplicaProbeRow;
    try {
      [row] = await this.probe.query<ReplicaProbeRow>(REPLICA_PROBE_SQL);
    } catch (error) {
      this.problem = `it does not answer: ${errorSummary(error)}`;
      return;
    }
    if (primary === null) return;
    if (!row.standby) {
      this.problem = 'it is not a standby (promoted?); a server that no longer follows the primary may hold other data';
      return;
    }
    if (row.system !== primary.system || row.database !== primary.database) {
      this.problem = `it is not a standby of DATABASE_URL's database (system ${row.system}, database ${row.database})`;
      return;
    }
    // A standby that has replayed nothing yet (just started from a backup) reads as behind every sample.
    const replayed = row.replayed === null ? -1n : BigInt(row.replayed);
    const held = positions.newestReplayedBy(replayed);
    if (held !== null) this.freshAsOf = Math.max(this.freshAsOf ?? held.at, held.at);
    this.caughtUp = held !== null && held === positions.newest();
    if (!this.dataSource.isInitialized) {
      if (performance.now() < this.openableAt) return;
      try {
        await this.dataSource.initialize();
      } catch (error) {
        this.openableAt = performance.now() + REOPEN_AFTER_MS;
        this.problem = `its pool cannot be opened: ${errorSummary(error)}`;
        return;
      }
    }
    this.problem = null;
  }

  async close(): Promise<void> {
    await this.probe.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
