/**
 * The time as the service reads it wherever time decides an answer: cache lifetimes, key and
 * media URL expiry, webhook retry schedules and signing-secret grace periods. One injected
 * provider, so that a test moves time instead of waiting for it (docs/development.md "Time in
 * tests").
 */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;

  date(): Date {
    return new Date(this.now());
  }
}

/** The machine's clock: what every process of the service runs on. */
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
