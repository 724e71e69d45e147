/** The run's log: one line, stamped with the time since the run started. */
export type Log = (message: string) => void;

/** A log whose stamps count from `started` (a performance.now() reading). */
export function createLog(started: number): Log {
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`;
  return (message) => console.log(`[${elapsed()}] ${message}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds since a performance.now() reading, to the tenth. */
export const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
