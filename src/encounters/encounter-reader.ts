import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { EncounterAccessRow } from './encounter-access';
import {
  documentQuery, type DocumentRow, type EncounterListCriteria, type EncounterListRow, encounterQuery, type EncounterViewRow, listQuery,
  splitListRows, type SqlQuery,
} from './encounter-queries';

/**
 * Runs the reads of the encounter routes. Single-encounter reads also return
 * `EncounterAccessRow`, so that "not found", "another organization's" and "demo or training"
 * are told apart in the same round trip, without reading anything else of an encounter the
 * caller may not see.
 */
@Injectable()
export class EncounterReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(criteria: EncounterListCriteria): Promise<{ encounters: EncounterViewRow[]; total: number }> {
    return splitListRows(await this.run<EncounterListRow>(listQuery(criteria)));
  }

  async findEncounter(organizationId: string, encounterId: string): Promise<(EncounterAccessRow & Partial<EncounterViewRow>) | undefined> {
    const [row] = await this.run<EncounterAccessRow & Partial<EncounterViewRow>>(encounterQuery(organizationId, encounterId));
    return row;
  }

  async findDocument(
    organizationId: string,
    encounterId: string,
    documentId: string,
    payload: 'content' | 'transcript',
  ): Promise<(EncounterAccessRow & Partial<DocumentRow>) | undefined> {
    const [row] = await this.run<EncounterAccessRow & Partial<DocumentRow>>(documentQuery(organizationId, encounterId, documentId, payload));
    return row;
  }

  /**
   * Straight on the driver's pool: node-postgres' `Pool`, or typeorm-pglite's stand-in for it.
   * `DataSource.query` would wrap each statement in a TypeORM query runner (checkout, logger,
   * before/after-query broadcasts, a result object): 15% of the service's CPU per list request
   * in the benchmark (docs/PERFORMANCE.md). Errors are the driver's own; ErrorBodyFilter
   * recognizes both kinds.
   */
  private async run<Row>(query: SqlQuery): Promise<Row[]> {
    const pool = (this.dataSource.driver as PostgresDriver).master as { query(text: string, values: unknown[]): Promise<{ rows: Row[] }> };
    return (await pool.query(query.text, query.values)).rows;
  }
}
