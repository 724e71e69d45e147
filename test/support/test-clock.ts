import { Clock } from '../../src/common/clock';

/**
 * The `Clock` of a test: `base()` plus whatever the test has advanced it by. Tests move time
 * with `advance` instead of sleeping (docs/development.md "Time in tests").
 *
 * An app's clock starts at the machine's time (the default base) and only ever runs ahead of
 * it, so that what the database stamps with its own `now()` (a webhook delivery's first due
 * time) is never in this clock's future. A unit test pins the base instead: `new TestClock(() => 0)`.
 */
export class TestClock extends Clock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {
    super();
  }

  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock `ms` forward (backward when negative: a URL issued in the past). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
