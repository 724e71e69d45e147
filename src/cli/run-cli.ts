import { CommandFactory, CommandRunnerService } from 'nest-commander';
import type { AppConfig } from '../config/app-config';
import { describeCliError } from './cli-error';
import { CliModule } from './cli.module';
import { CliOutput } from './cli-output';

/**
 * Runs one CLI command (`args` as typed after `npm run cli --`) and returns its exit code: 0,
 * or 1 with one line on standard error (`error: …`), or commander's own code after a usage
 * error it has printed. `src/cli.ts` runs it for the process; tests run it in theirs.
 */
export async function runCli(config: AppConfig, args: readonly string[], output: CliOutput): Promise<number> {
  let exitCode = 0;
  const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, output), {
    logger: false,
    // Nest would otherwise exit the process when the app cannot be built.
    abortOnError: false,
    cliName: 'npm run cli --',
    outputConfiguration: { writeOut: output.stdout, writeErr: output.stderr },
    serviceErrorHandler: (error) => {
      exitCode = commanderExitCode(error) ?? fail(output, describeCliError(error));
    },
  });
  try {
    await app.get(CommandRunnerService).run(['node', 'cli', ...args]);
  } finally {
    await app.close();
  }
  return exitCode;
}

/** Prints a failure's one line, and returns the exit code of a failure. */
export function fail(output: CliOutput, line: string): number {
  output.stderr(`error: ${line}\n`);
  return 1;
}

/** The exit code of commander's usage errors and help (already printed), or null for any other error. */
function commanderExitCode(error: unknown): number | null {
  const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number' ? exitCode : null;
}
