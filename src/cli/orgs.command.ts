import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { quoted } from '../common/invalid-input.error';
import { OrganizationsService } from '../organizations/organizations.service';
import { CliDatabase } from './cli-database';
import { commandGroupHelp, noExtraArguments, requiredOption } from './cli-input';
import { CliOutput } from './cli-output';

@SubCommand({ name: 'create', description: 'Create an organization (API keys enabled, not a partner yet)' })
export class OrgsCreateCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly organizations: OrganizationsService,
  ) {
    super();
  }

  async run(args: string[], options: { id?: string; name?: string }): Promise<void> {
    noExtraArguments(args, 0);
    const id = requiredOption(options.id, '--id');
    const name = requiredOption(options.name, '--name');
    await this.database.open();
    await this.organizations.create(id, name);
    this.output.line(`Created organization ${id} (${quoted(name)}), API keys enabled, not a partner yet.`);
  }

  @Option({ flags: '--id <id>', description: 'Organization id, e.g. org_riverside' })
  parseId(value: string): string {
    return value;
  }

  @Option({ flags: '--name <name>', description: 'Display name' })
  parseName(value: string): string {
    return value;
  }
}

@Command({ name: 'orgs', description: 'Organizations', subCommands: [OrgsCreateCommand] })
export class OrgsCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
