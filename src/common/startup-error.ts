/**
 * A start that cannot go on, with the one line that says why: main.ts logs its message as the
 * start's single error line and exits non-zero (docs/operations.md "Starting and stopping").
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
