import { ApiError } from '../common/api-error';
import { InvalidInputError } from '../common/invalid-input.error';
import { isDatabaseUnavailable } from '../common/database-unavailable';
import { FixtureError } from '../fixtures/fixture-error';

/** Bad input to a CLI command: printed as one line, exit code 1, nothing changed. */
export class CliInputError extends Error {
  override readonly name = 'CliInputError';
}

/** The one line an operator sees when a command fails. */
export function describeCliError(error: unknown): string {
  if (error instanceof CliInputError || error instanceof InvalidInputError || error instanceof FixtureError) return error.message;
  if (error instanceof ApiError && error.reasonCode === 'digest_key_unavailable') {
    return 'API_KEY_DIGEST_SECRET is not set: keys cannot be digested.';
  }
  if (isDatabaseUnavailable(error)) return 'cannot reach the database (check DATABASE_URL).';
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
