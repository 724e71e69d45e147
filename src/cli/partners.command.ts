import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { PartnerAllowlistService } from '../partner/partner-allowlist.service';
import { commandGroupHelp, listOption, noExtraArguments, requiredOption } from './cli-input';
import { requireMigratedSchema } from './require-migrated-schema';

@SubCommand({ name: 'allow', arguments: '<org>', description: 'Allowlist an organization for exactly these routes' })
export class PartnersAllowCommand extends CommandRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly allowlist: PartnerAllowlistService,
  ) {
    super();
  }

  async run(args: string[], options: { routes?: string }): Promise<void> {
    noExtraArguments(args, 1);
    const [organizationId] = args;
    const routes = listOption(requiredOption(options.routes, '--routes'));
    await requireMigratedSchema(this.dataSource);
    const allowed = await this.allowlist.allow(organizationId, routes);
    const before = allowed.previousRoutes === null ? 'not a partner before' : `before: ${allowed.previousRoutes.join(', ') || 'no route'}`;
    console.log(`Allowlisted ${organizationId} for ${allowed.routes.join(', ')} (${before}).`);
  }

  @Option({ flags: '--routes <ids>', description: 'Comma-separated partner route ids, e.g. encounters.list,encounters.read' })
  parseRoutes(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'deny', arguments: '<org>', description: 'Remove an organization from the partner allowlist' })
export class PartnersDenyCommand extends CommandRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly allowlist: PartnerAllowlistService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const [organizationId] = args;
    await requireMigratedSchema(this.dataSource);
    await this.allowlist.deny(organizationId);
    console.log(`Removed ${organizationId} from the partner allowlist.`);
  }
}

@Command({ name: 'partners', description: 'The partner allowlist', subCommands: [PartnersAllowCommand, PartnersDenyCommand] })
export class PartnersCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
