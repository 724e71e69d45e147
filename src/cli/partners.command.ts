import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { PartnerAllowlistService } from '../partner/partner-allowlist.service';
import { CliDatabase } from './cli-database';
import { commandGroupHelp, listOption, noExtraArguments, requiredOption } from './cli-input';
import { CliOutput } from './cli-output';

@SubCommand({ name: 'allow', arguments: '<org>', description: 'Allowlist an organization for exactly these routes' })
export class PartnersAllowCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly allowlist: PartnerAllowlistService,
  ) {
    super();
  }

  async run(args: string[], options: { routes?: string }): Promise<void> {
    noExtraArguments(args, 1);
    const [organizationId] = args;
    const routes = listOption(requiredOption(options.routes, '--routes'));
    await this.database.open();
    const allowed = await this.allowlist.allow(organizationId, routes);
    const before = allowed.previousRoutes === null ? 'not a partner before' : `before: ${allowed.previousRoutes.join(', ') || 'no route'}`;
    this.output.line(`Allowlisted ${organizationId} for ${allowed.routes.join(', ')} (${before}).`);
  }

  @Option({ flags: '--routes <ids>', description: 'Comma-separated partner route ids, e.g. encounters.list,encounters.read' })
  parseRoutes(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'deny', arguments: '<org>', description: 'Remove an organization from the partner allowlist' })
export class PartnersDenyCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly allowlist: PartnerAllowlistService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const [organizationId] = args;
    await this.database.open();
    await this.allowlist.deny(organizationId);
    this.output.line(`Removed ${organizationId} from the partner allowlist.`);
  }
}

@Command({ name: 'partners', description: 'The partner allowlist', subCommands: [PartnersAllowCommand, PartnersDenyCommand] })
export class PartnersCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
