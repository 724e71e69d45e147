import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { describeCliError } from './cli/cli-error';
import { ConfigError, loadAppConfig } from './config/load-app-config';

/** `npm run cli -- <command>`: see docs/operations.md. Failures print one line and exit 1. */
async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  await CommandFactory.run(CliModule.forRoot(config), {
    logger: false,
    // Nest would otherwise exit silently when the app cannot start (an unreachable database).
    abortOnError: false,
    cliName: 'npm run cli --',
    serviceErrorHandler: (error) => fail(describeCliError(error)),
  });
}

function fail(line: string): void {
  console.error(`error: ${line}`);
  process.exitCode = 1;
}

main().catch((error: unknown) => fail(error instanceof ConfigError ? `configuration: ${error.message}` : describeCliError(error)));
