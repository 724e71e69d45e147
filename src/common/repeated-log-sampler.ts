/** How long the same event is logged once: enough to keep an outage from flooding the log. */
const SAMPLE_INTERVAL_MS = 10_000;
/** Distinct events remembered at once; the oldest is forgotten first. */
const MAX_EVENTS = 256;

/**
 * Logs a repeated event once per interval instead of each time: during an outage every
 * request fails the same way, and the first line says all the next thousand would. Each line
 * after the first tells how many were left out since the previous one.
 */
export class RepeatedLogSampler {
  private readonly events = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(private readonly intervalMs = SAMPLE_INTERVAL_MS) {}

  /**
   * Whether to log the event `key` now: null when not, else how many of it went unlogged since
   * its previous line (0 the first time).
   */
  admit(key: string, now = Date.now()): number | null {
    const event = this.events.get(key);
    if (event !== undefined && now - event.loggedAt < this.intervalMs) {
      event.suppressed += 1;
      return null;
    }
    this.events.delete(key);
    if (this.events.size >= MAX_EVENTS) this.events.delete(this.events.keys().next().value as string);
    this.events.set(key, { loggedAt: now, suppressed: 0 });
    return event?.suppressed ?? 0;
  }
}

/** What to append to a sampled line: how many like it went unlogged, or nothing. */
export function suppressedNote(suppressed: number): string {
  return suppressed === 0 ? '' : ` (${suppressed} more like it since the previous line, not logged)`;
}
