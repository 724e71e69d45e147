/**
 * The only real timers of the tests (docs/development.md "Time in tests"). What the service
 * times by its `Clock` (caches, expiry, retry schedules, leases) is moved with `TestClock`;
 * what is left here is time that belongs to something outside the test's control:
 *
 * - `pollUntil`: waiting for another process or a socket (a server coming up, a child's
 *   output, a request in flight) that no event in this process announces;
 * - `sleep`: where elapsed wall-clock time is the thing under test (a socket or shutdown
 *   timeout, a client that stalls, a receiver that answers late), with its bound documented
 *   where it is used;
 * - `deadline`: a bound on a wait, so that a test fails with what it waited for rather than
 *   Jest's timeout.
 */

/** Resolves after `ms` of wall-clock time. Only where elapsed time is what a test is about. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `work`, or a rejection naming `what` once `ms` have passed without it settling. */
export async function deadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads `read` every `intervalMs` until `done` holds, for a change another process or the
 * network makes; fails after `timeoutMs` with the last value read.
 */
export async function pollUntil<T>(read: () => T | Promise<T>, done: (value: T) => boolean, { timeoutMs = 15_000, intervalMs = 50 } = {}): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > giveUpAt) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await sleep(intervalMs);
  }
}
