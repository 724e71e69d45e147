import pino from 'pino';
import pretty from 'pino-pretty';
import type { LoggingConfig } from '../config/app-config';

/**
 * Fields no log line may show, wherever they appear in a logged object: credentials and
 * secrets. Log lines are built to hold none (the access line is an explicit list of fields);
 * this is the net under a mistake.
 */
const REDACTED_PATHS = ['authorization', 'cookie', 'token', 'secret', 'password', 'signing_secret', 'api_key', 'key_digest'].flatMap((field) => [
  field,
  `*.${field}`,
  `*.headers.${field}`,
]);

/**
 * The process's pino logger (`LOG_LEVEL`, `LOG_FORMAT`): one JSON object a line in production,
 * coloured text for a developer. Every log line of the service goes through it: the access
 * lines (observability/access-log.ts) and Nest's own logger (nestjs-pino, main.ts).
 * `destination` defaults to standard output, written synchronously, so that nothing logged
 * before an exit is lost.
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
  if (config.format === 'json') return pino(options);
  return pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
}
