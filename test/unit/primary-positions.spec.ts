import fc from 'fast-check';
import { PrimaryPositions } from '../../src/database/primary-positions';
import { probeIntervalMs } from '../../src/database/replica-router';

describe('PrimaryPositions: how far a replica is behind, by WAL positions', () => {
  const sampled = (keepMs: number, samples: [at: number, position: number][]) => {
    const positions = new PrimaryPositions(keepMs);
    for (const [at, position] of samples) positions.record({ at, position: BigInt(position) });
    return positions;
  };

  it('finds a replica that has replayed the newest position caught up, however long the primary has been idle', () => {
    const idle = sampled(10_000, [
      [0, 500],
      [250, 500],
      [500, 500],
      [9_750, 500],
    ]);
    expect(idle.newestReplayedBy(500n)).toBe(idle.newest());
  });

  it('dates a replica behind the newest position by the newest sample it holds', () => {
    const positions = sampled(10_000, [
      [0, 100],
      [250, 200],
      [500, 300],
    ]);
    expect(positions.newestReplayedBy(250n)).toEqual({ at: 250, position: 200n });
    expect(positions.newestReplayedBy(99n)).toBeNull();
  });

  it('keeps samples for keepMs, and always the newest', () => {
    const positions = sampled(1_000, [
      [0, 100],
      [600, 200],
      [1_200, 300],
      [5_000, 300],
    ]);
    // Only the newest is left: a replica at 200 is behind every kept sample.
    expect(positions.newestReplayedBy(200n)).toBeNull();
    expect(positions.newest()).toEqual({ at: 5_000, position: 300n });
  });

  it('never dates a replica later than the newest sample whose position it has replayed', () => {
    const steps = fc.array(fc.record({ after: fc.integer({ min: 1, max: 500 }), written: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(steps, fc.integer({ min: 0, max: 400_000 }), (history, replayed) => {
        const positions = new PrimaryPositions(60_000);
        const samples: { at: number; position: bigint }[] = [];
        let [at, position] = [0, 0];
        for (const { after, written } of history) {
          [at, position] = [at + after, position + written];
          samples.push({ at, position: BigInt(position) });
          positions.record(samples.at(-1)!);
        }
        const held = samples.filter((sample) => sample.position <= BigInt(replayed)).at(-1) ?? null;
        expect(positions.newestReplayedBy(BigInt(replayed))).toEqual(held);
      }),
    );
  });
});

describe('probeIntervalMs', () => {
  it('probes every 250 ms, or four times within a tighter bound', () => {
    expect(probeIntervalMs(1_000)).toBe(250);
    expect(probeIntervalMs(600_000)).toBe(250);
    expect(probeIntervalMs(100)).toBe(25);
  });
});
