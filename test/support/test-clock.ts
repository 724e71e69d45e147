import { Clock } from '../../src/common/clock';

/**
 * The `Clock` of a test app: the machine's time plus whatever the test has advanced it by, so
 * that tests move time with `advance` instead of sleeping (docs/development.md "Time in tests").
 *
 * Running with the machine's time keeps it at or ahead of what the database stamps with its own
 * `now()` (a webhook delivery's first due time). A test that checks a boundary to the millisecond
 * freezes it, and thaws it when done; a unit test freezes it at an instant of its own.
 */
export class TestClock extends Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  /** Moves the clock `ms` forward (backward when negative: a URL issued in the past). */
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  /** Stops the clock at `at` (default: now) until `thaw`; `advance` still moves it. */
  freeze(at = this.now()): this {
    this.frozenAt = at;
    return this;
  }

  /** Runs with the machine's time again, from where it was frozen. */
  thaw(): void {
    if (this.frozenAt === null) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = null;
  }

  /** The machine's time again, as when the clock was made. */
  reset(): void {
    this.frozenAt = null;
    this.offsetMs = 0;
  }
}
