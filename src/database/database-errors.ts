/**
 * Errors that mean "the database cannot be reached right now" (answered 503, retryable),
 * as opposed to a bug or bad data (answered 500).
 */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE']);

// SQLSTATE classes and codes: 08 connection exception, 57P01-57P03 shutdown / cannot connect
// now, 53300 too many connections.
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[1-3]|53300)$/;

// node-postgres and typeorm-pglite signal a lost or closed connection only by message.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'PGlite is closed',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = nextCause(cause)) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
    if (UNAVAILABLE_MESSAGES.some((message) => cause instanceof Error && cause.message.includes(message))) return true;
  }
  return false;
}

/** TypeORM wraps the driver's error in `driverError`; Node uses `cause`. */
function nextCause(error: Error): unknown {
  return (error as { driverError?: unknown }).driverError ?? error.cause;
}
