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
  for (const cause of causesOf(error)) {
    const { code, message, name } = cause;
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
    if (typeof name === 'string' && UNAVAILABLE_ERROR_NAMES.has(name)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((known) => message.includes(known))) return true;
  }
  return false;
}

/** SQLSTATE 57014: a statement cancelled by `statement_timeout`. */
const STATEMENT_CANCELLED = '57014';

/** Whether the server cancelled the statement for running too long: on another server of the same data, it would run as long. */
export function isStatementCancelled(error: unknown): boolean {
  for (const cause of causesOf(error)) {
    if (cause.code === STATEMENT_CANCELLED) return true;
  }
  return false;
}

/** What an operator does about a missing privilege (docs/operations.md "Database roles"). */
const GRANT_HINT = "Grant the service's role what it needs: `npm run cli -- db grant ROLE`, as the schema's owner.";

/** SQLSTATE 42501: the database refused the service's role something it was not granted. */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * What the service's role lacks, when the database refused it a privilege (answered 503, never
 * 500: the fix is a grant, not a code change): PostgreSQL's own message, which names the
 * object ("permission denied for table encounters") and never quotes a value. Null otherwise.
 */
export function missingPrivilegeOf(error: unknown): string | null {
  for (const cause of causesOf(error)) {
    if (cause.code === INSUFFICIENT_PRIVILEGE && typeof cause.message === 'string') return cause.message;
  }
  return null;
}

/** An error's name and code (a SQLSTATE, a socket error), on one line and without its message: a database's can quote row values. */
export function errorSummary(error: unknown): string {
  if (!isObject(error)) return `non-error thrown (${typeof error})`;
  const code = error.code ?? (error.driverError as ErrorLike | undefined)?.code;
  return typeof code === 'string' ? `${String(error.name)} (code ${code})` : String(error.name);
}

/**
 * A failed database call for a log line: the privilege the service's role lacks and how to
 * grant it, which is safe to show (missingPrivilegeOf); else `errorSummary`.
 */
export function databaseFailureSummary(error: unknown): string {
  const missingPrivilege = missingPrivilegeOf(error);
  return missingPrivilege === null ? errorSummary(error) : `${missingPrivilege} (${INSUFFICIENT_PRIVILEGE}). ${GRANT_HINT}`;
}

function isObject(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null;
}

/** `error`, then what it wraps: TypeORM wraps the driver's error in `driverError`; Node uses `cause`. */
function* causesOf(error: unknown): Generator<ErrorLike> {
  for (let cause = error; isObject(cause); cause = cause.driverError ?? cause.cause) yield cause;
}
