/** Where the primary's write-ahead log was (bytes from 0/0), and when it was read there. */
export interface PrimarySample {
  at: number;
  position: bigint;
}

/**
 * The primary's recent WAL positions, sampled at a steady interval: how a replica's lag is
 * measured by positions rather than by the time of the last transaction it replayed, which stops
 * moving when the primary is idle and would make an idle, caught-up replica look ever further
 * behind. A replica that has replayed a position the primary was at (at time t) holds every
 * write the primary had committed by t: it is at most `now - t` behind.
 */
export class PrimaryPositions {
  /** Oldest first. */
  private readonly samples: PrimarySample[] = [];

  /**
   * @param keepMs how far back samples are kept: lag beyond it is told apart from lag within
   *   it only as "further behind than the samples go"
   */
  constructor(private readonly keepMs: number) {}

  /** A position read at `at` (taken when the question was sent: the position is at least that recent). */
  record(sample: PrimarySample): void {
    this.samples.push(sample);
    const keepFrom = sample.at - this.keepMs;
    while (this.samples.length > 1 && this.samples[0].at < keepFrom) this.samples.shift();
  }

  /** The newest sample, or null before the first. */
  newest(): PrimarySample | null {
    return this.samples.at(-1) ?? null;
  }

  /**
   * The newest sample a server that has replayed up to `replayed` holds entirely (its position
   * is not past `replayed`): that server has every write committed on the primary by the
   * sample's time. Null when it is behind every kept sample.
   */
  newestReplayedBy(replayed: bigint): PrimarySample | null {
    for (let index = this.samples.length - 1; index >= 0; index--) {
      if (this.samples[index].position <= replayed) return this.samples[index];
    }
    return null;
  }
}
