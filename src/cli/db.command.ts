import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { DataSource } from 'typeorm';
import { commandGroupHelp } from './cli-input';

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

@Command({ name: 'db', description: 'Database schema', subCommands: [DbMigrateCommand] })
export class DbCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
