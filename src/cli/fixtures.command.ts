import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { FixtureLoader } from '../fixtures/fixture-loader.service';
import { CliDatabase } from './cli-database';
import { commandGroupHelp } from './cli-input';
import { CliOutput } from './cli-output';

@SubCommand({ name: 'load', arguments: '<file>', description: 'Load a fixture file in one transaction' })
export class FixturesLoadCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly fixtures: FixtureLoader,
  ) {
    super();
  }

  async run([file]: string[], options: { reset?: boolean }): Promise<void> {
    await this.database.open();
    const loaded = await this.fixtures.loadFile(file, { reset: options.reset === true });
    this.output.line(
      `Loaded ${file}${options.reset ? ' (after emptying every table)' : ''}: ${loaded.organizations} organizations, ` +
        `${loaded.apiKeys} API keys, ${loaded.patients} patients, ${loaded.encounters} encounters, ${loaded.documents} documents, ` +
        `${loaded.recordings} recordings, ${loaded.webhookEndpoints} webhook endpoints.`,
    );
  }

  @Option({ flags: '--reset', description: 'Empty every table first' })
  parseReset(): boolean {
    return true;
  }
}

@Command({ name: 'fixtures', description: 'Scenario files', subCommands: [FixturesLoadCommand] })
export class FixturesCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
