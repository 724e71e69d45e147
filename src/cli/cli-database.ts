import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pendingSchemaChanges } from '../database/schema-migration';
import { CliInputError } from './cli-error';

/**
 * The CLI's database, opened by a command once its arguments are checked: a refusal costs no
 * connection. Never migrated implicitly: `db migrate` is how an operator changes the schema.
 */
@Injectable()
export class CliDatabase {
  constructor(private readonly dataSource: DataSource) {}

  /** Opens the database, refusing one with pending migrations or outdated routines. */
  async open(): Promise<DataSource> {
    await this.connect();
    const pending = await pendingSchemaChanges((text) => this.dataSource.query(text));
    if (pending.migrations.length + pending.routines.length > 0) {
      throw new CliInputError('the database has pending migrations: run `npm run cli -- db migrate` first.');
    }
    return this.dataSource;
  }

  /** Opens the database whatever its schema (`db migrate`). */
  async connect(): Promise<DataSource> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    return this.dataSource;
  }
}
