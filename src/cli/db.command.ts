import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { migrateSchema } from '../database/schema-migration';
import { grantServiceRole } from '../database/service-role';
import { ListedEncounterCountsRepository } from '../encounters/listed-encounter-counts.repository';
import { CliDatabase } from './cli-database';
import { commandGroupHelp, noExtraArguments } from './cli-input';
import { CliOutput } from './cli-output';

@SubCommand({ name: 'migrate', description: 'Apply pending migrations' })
export class DbMigrateCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    const { migrations, routines } = await migrateSchema(await this.database.connect(), 'each');
    if (migrations.length + routines.length === 0) return this.output.line('Database is up to date.');
    if (migrations.length > 0) this.output.line(`Applied ${migrations.length} migration(s): ${migrations.join(', ')}.`);
    if (routines.length > 0) this.output.line(`Installed ${routines.length} routine(s): ${routines.join(', ')}.`);
  }
}

@SubCommand({ name: 'recount', description: 'Recompute the per-organization listed-encounter counts (after a bulk load with triggers off)' })
export class DbRecountCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly counts: ListedEncounterCountsRepository,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 0);
    await this.database.open();
    const { organizations, corrected } = await this.counts.recount();
    const corrections = corrected.map((count) => `${count.organizationId}: ${count.stored} → ${count.actual}`);
    this.output.line(
      `Recounted the listed encounters of ${organizations} organization(s): ` +
        (corrected.length === 0 ? 'every count was exact.' : `corrected ${corrected.length} (${corrections.join(', ')}).`),
    );
  }
}

@SubCommand({ name: 'grant', arguments: '<role>', description: 'Grant an existing role exactly what the running service needs (serve as it; migrate as the owner)' })
export class DbGrantCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const grant = await grantServiceRole(await this.database.open(), args[0]);
    const sequences = grant.sequences === 1 ? 'sequence' : 'sequences';
    this.output.line(
      `Granted ${grant.role} what the service needs in schema ${grant.schema}: its ${grant.tables} tables (SELECT and INSERT only on phi_access_records, ` +
        `SELECT only on migrations), USAGE on ${grant.sequences} ${sequences}, EXECUTE on ${grant.functions} functions; USAGE on the schema, never CREATE. ` +
        'Run it again after each `db migrate`.',
    );
  }
}

@Command({ name: 'db', description: 'Database schema, roles and derived tables', subCommands: [DbMigrateCommand, DbRecountCommand, DbGrantCommand] })
export class DbCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
