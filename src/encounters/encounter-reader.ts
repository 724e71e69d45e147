import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EncounterAccessRow } from './encounter-access';
import {
  countQuery, documentQuery, type DocumentRow, type EncounterListCriteria, encounterQuery, type EncounterViewRow, listPageQuery,
  type SqlQuery,
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

  listPage(criteria: EncounterListCriteria): Promise<EncounterViewRow[]> {
    return this.run<EncounterViewRow>(listPageQuery(criteria));
  }

  async count(criteria: EncounterListCriteria): Promise<number> {
    const [row] = await this.run<{ total: number }>(countQuery(criteria));
    return row.total;
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

  private run<Row>(query: SqlQuery): Promise<Row[]> {
    return this.dataSource.query<Row[]>(query.text, query.values);
  }
}
