/**
 * Errors that mean "the database cannot be reached right now" (answered 503, retryable),
 * as opposed to a bug or bad data (answered 500).
 */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE']);

// SQLSTATE classes and codes: 08 connection exception, 57P01-57P03 shutdown / cannot connect
// now, 53300 too many connections, 57014 a statement cancelled by its timeout.
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[1-3]|53300|57014)$/;

// node-postgres and typeorm-pglite signal a lost or closed connection only by message.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  // query_timeout passed (a silent connection), and what a query on the connection dropped for it gets.
  'Query read timeout',
  'Client was closed and is not queryable',
  'PGlite is closed',
];

/**
 * TypeORM releases a query runner whose connection reports an error (the server ended the
 * session) and refuses the query it was about to send. This service never holds a query runner
 * itself, so that is the only way it meets this error.
 */
const UNAVAILABLE_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors may come from another realm.
  for (let cause = error as ErrorLike | undefined; isObject(cause); cause = nextCause(cause)) {
    const { code, message, name } = cause;
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
    if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((known) => message.includes(known))) return true;
  }
  return false;
}

function isObject(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null;
}

/** TypeORM wraps the driver's error in `driverError`; Node uses `cause`. */
function nextCause(error: ErrorLike): ErrorLike | undefined {
  return (error.driverError ?? error.cause) as ErrorLike | undefined;
}
