import { Injectable } from '@nestjs/common';
import { ReplicaReads } from '../common/replica-reads';
import type { EncounterAccessRow } from './encounter-access';
import {
  documentQuery,
  type DocumentPayload,
  type DocumentRow,
  type EncounterListCriteria,
  type EncounterListRow,
  encounterQuery,
  type EncounterViewRow,
  listQuery,
  splitListRows,
  type SqlQuery,
} from './encounter-queries';

/**
 * The reads of the encounter routes: the statements of `encounter-queries.ts`, one round trip
 * each, run through TypeORM on a streaming replica when there are fresh ones (`ReplicaReads`),
 * else on the primary. Single-encounter reads also return
 * `EncounterAccessRow`, so that "not found", "another organization's" and "demo or training"
 * are told apart in the same round trip, without reading anything else of an encounter the
 * caller may not see.
 */
@Injectable()
export class EncounterRepository {
  constructor(private readonly reads: ReplicaReads) {}

  async list(criteria: EncounterListCriteria): Promise<{ encounters: EncounterViewRow[]; total: number }> {
    return splitListRows(await this.run<EncounterListRow>(listQuery(criteria)));
  }

  async findEncounter(organizationId: string, encounterId: string): Promise<(EncounterAccessRow & Partial<EncounterViewRow>) | undefined> {
    if (!isStorableText(encounterId)) return undefined;
    const [row] = await this.run<EncounterAccessRow & Partial<EncounterViewRow>>(encounterQuery(organizationId, encounterId));
    return row;
  }

  async findDocument(organizationId: string, encounterId: string, documentId: string, payload: DocumentPayload): Promise<(EncounterAccessRow & Partial<DocumentRow>) | undefined> {
    if (!isStorableText(encounterId)) return undefined;
    // No document has such an id; the encounter is still checked first, as for any unknown document.
    const storedDocumentId = isStorableText(documentId) ? documentId : null;
    const [row] = await this.run<EncounterAccessRow & Partial<DocumentRow>>(documentQuery(organizationId, encounterId, storedDocumentId, payload));
    return row;
  }

  private run<Row>(query: SqlQuery): Promise<Row[]> {
    return this.reads.query<Row>(query.text, query.values);
  }
}

/**
 * PostgreSQL's text cannot hold a NUL byte and refuses one as a parameter (an error, not an
 * empty result): an id with one (`/encounters/%00`) names nothing, and is looked up as such.
 */
function isStorableText(value: string): boolean {
  return !value.includes('\0');
}
