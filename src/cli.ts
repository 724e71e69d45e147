import 'reflect-metadata';
import { describeCliError } from './cli/cli-error';
import { CliOutput } from './cli/cli-output';
import { fail, runCli } from './cli/run-cli';
import { ConfigError, loadAppConfig } from './config/load-app-config';

/** `npm run cli -- <command>`: see docs/operations.md. Failures print one line and exit 1. */
async function main(output: CliOutput): Promise<void> {
  try {
    process.exitCode = await runCli(loadAppConfig(process.env), process.argv.slice(2), output);
  } catch (error) {
    process.exitCode = fail(output, error instanceof ConfigError ? `configuration: ${error.message}` : describeCliError(error));
  }
}

void main(CliOutput.ofProcess());
