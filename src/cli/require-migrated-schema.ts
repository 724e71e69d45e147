import { DataSource } from 'typeorm';
import { CliInputError } from './cli-error';

/** The CLI never migrates implicitly: `db migrate` is how an operator changes the schema. */
export async function requireMigratedSchema(dataSource: DataSource): Promise<void> {
  if (await dataSource.showMigrations()) {
    throw new CliInputError('the database has pending migrations: run `npm run cli -- db migrate` first.');
  }
}
