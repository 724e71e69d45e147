import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { ListedEncounterCountsRepository } from '../encounters/listed-encounter-counts.repository';
import { commandGroupHelp, noExtraArguments } from './cli-input';
import { requireMigratedSchema } from './require-migrated-schema';

@SubCommand({ name: 'migrate', description: 'Apply pending migrations' })
export class DbMigrateCommand extends CommandRunner {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    console.log(applied.length === 0 ? 'Database is up to date.' : `Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}.`);
  }
}

@SubCommand({ name: 'recount', description: 'Recompute the per-organization listed-encounter counts (after a bulk load with triggers off)' })
export class DbRecountCommand extends CommandRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly counts: ListedEncounterCountsRepository,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 0);
    await requireMigratedSchema(this.dataSource);
    const { organizations, corrected } = await this.counts.recount();
    const corrections = corrected.map((count) => `${count.organizationId}: ${count.stored} → ${count.actual}`);
    console.log(
      `Recounted the listed encounters of ${organizations} organization(s): ` +
        (corrected.length === 0 ? 'every count was exact.' : `corrected ${corrected.length} (${corrections.join(', ')}).`),
    );
  }
}

@Command({ name: 'db', description: 'Database schema and derived tables', subCommands: [DbMigrateCommand, DbRecountCommand] })
export class DbCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
