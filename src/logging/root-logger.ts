import pino from 'pino';
import pretty from 'pino-pretty';
import type { LoggingConfig } from '../config/app-config';

/**
 * Fields no log line may show: credentials and secrets, in a logged object or its `headers`.
 * Log lines are built to hold none (the access line is an explicit list of fields); this is the
 * net under a mistake. Named paths only: pino's wildcard paths (`*.token`) cost 50 µs a line,
 * eight times the line itself (measured: 56 µs against 6 µs).
 */
const REDACTED_PATHS = ['authorization', 'cookie', 'token', 'secret', 'password', 'signing_secret', 'api_key', 'key_digest'].flatMap((field) => [
  field,
  `headers.${field}`,
  `req.headers.${field}`,
]);

/**
 * The process's pino logger (`LOG_LEVEL`, `LOG_FORMAT`): one JSON object a line in production,
 * coloured text for a developer. Every log line of the service goes through it: the access
 * lines (observability/access-log.ts) and Nest's own logger (nestjs-pino, http-app.ts).
 * JSON goes to standard output asynchronously: lines that arrive while a write is in flight go
 * out together in the next, instead of a blocking write per request; pino writes what is left
 * when the process exits.
 */
export function createRootLogger(config: LoggingConfig, destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level: config.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Operators grep and collectors index these: ISO time and the level's name, not numbers.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination !== undefined) return pino(options, destination);
  if (config.format === 'json') return pino(options, pino.destination({ dest: 1, sync: false }));
  return pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
}

/** The most a failed start waits for its lines before it exits anyway (a blocked standard output). */
const LAST_LINES_BOUND_MS = 2_000;

/**
 * Exits with `code` once every line logged so far is written, in order. pino's `flush(callback)`
 * cannot say that of an asynchronous destination: it calls back at once, and the exit then
 * writes what is buffered synchronously, ahead of a line still being written by the thread
 * pool (seen: a failed start's error line before the warning logged just ahead of it). Ending
 * the destination waits for the writes in flight and then writes the rest, in order.
 */
export function exitOnceWritten(root: pino.Logger, code: number): void {
  const destination = (root as unknown as Record<symbol, NodeJS.WritableStream | undefined>)[pino.symbols.streamSym];
  if (destination === undefined || typeof destination.end !== 'function' || typeof destination.once !== 'function') {
    process.exit(code);
  }
  const bound = setTimeout(() => process.exit(code), LAST_LINES_BOUND_MS).unref();
  destination.once('finish', () => {
    clearTimeout(bound);
    process.exit(code);
  });
  destination.end();
}
