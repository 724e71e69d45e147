/**
 * The reads of the encounter routes: calls of the routines of `encounter-routines.ts`, whose SQL
 * scopes every read by the caller's organization (and whose plans PostgreSQL keeps per
 * connection). Pure builders: EncounterRepository runs them through TypeORM, the benchmark
 * baseline through pg.
 */
import type { DocumentSummaryDto } from './dto/encounter.dto';
import type { NoteContent, StoredTranscript } from './encounter-types';

/**
 * The fields of a document summary, in the order of the body: the routines build each summary
 * as JSON with exactly these keys (column = field), so the rows carry `DocumentSummaryDto`s
 * as they are. The compiler holds the list to the DTO: a field added to one and not the other
 * does not build.
 */
export const DOCUMENT_SUMMARY_FIELDS = [
  'document_id',
  'schema_type',
  'title',
  'status',
  'workflow_variant',
  'audio_duration_seconds',
] as const satisfies readonly (keyof DocumentSummaryDto)[];
type Exhaustive<Listed, All> = [Exclude<All, Listed>] extends [never] ? true : never;
true satisfies Exhaustive<(typeof DOCUMENT_SUMMARY_FIELDS)[number], keyof DocumentSummaryDto>;

/** One encounter with its patient and document summaries: what the list and detail routes show. */
export interface EncounterViewRow {
  encounter_id: string;
  organization_id: string;
  encounter_type: string;
  status: string;
  /** Timestamps as the API writes them (`apiTimestampSql`). */
  created_at: string;
  updated_at: string;
  date_of_service: string | null;
  patient_id: string;
  first_name: string;
  last_name: string;
  date_of_birth: string;
  documents: DocumentSummaryDto[];
}

/** A document as `documentQuery` reads it: of `content` and `transcript`, only the route's payload is read, the other is null. */
export interface DocumentRow {
  document_id: string;
  encounter_id: string;
  /** The encounter's patient: not shown, but audited as disclosed. */
  patient_id: string;
  schema_type: string;
  title: string;
  status: string | null;
  workflow_variant: string | null;
  audio_duration_seconds: number | null;
  /** As the API writes them (`apiTimestampSql`). */
  created_at: string;
  updated_at: string;
  content: NoteContent | null;
  transcript: StoredTranscript | null;
}

export interface EncounterListCriteria {
  organizationId: string;
  limit: number;
  offset: number;
  sortOrder: 'asc' | 'desc';
  startAt?: Date;
  endAt?: Date;
}

/** A parameterized statement, run as is by the service and by the benchmark baseline. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** A row of `listQuery`: the filter's total, and an encounter of the page unless it is empty. */
export type EncounterListRow = { total: number } & (EncounterViewRow | { [Column in keyof EncounterViewRow]: null });

/**
 * One page in (created_at, encounter_id) order and the `total` of the same filter, read in one
 * round trip from one snapshot by `encounter_list_page` (`encounter-routines.ts`: the statements
 * and the indexes they use), its rows in the page's order: a function's rows come
 * out in the order it returned them. A page past the end is a single row with the total and
 * null encounter columns (see `splitListRows`).
 */
export function listQuery(criteria: EncounterListCriteria): SqlQuery {
  return {
    text: 'SELECT * FROM encounter_list_page($1, $2, $3, $4, $5, $6)',
    values: [criteria.organizationId, criteria.limit, criteria.offset, criteria.startAt ?? null, criteria.endAt ?? null, criteria.sortOrder === 'asc'],
  };
}

/** The rows of `listQuery` as the page's encounters and the total. */
export function splitListRows(rows: EncounterListRow[]): { encounters: EncounterViewRow[]; total: number } {
  return { encounters: rows.filter((row): row is EncounterListRow & EncounterViewRow => row.encounter_id !== null), total: rows[0].total };
}

/** The encounter's view columns are null unless the caller may read it (`encounter_view`). */
export function encounterQuery(organizationId: string, encounterId: string): SqlQuery {
  return { text: 'SELECT * FROM encounter_view($1, $2)', values: [organizationId, encounterId] };
}

/** The large columns a document route may read besides the metadata (one at most, the other is null). */
export const DOCUMENT_PAYLOADS = ['content', 'transcript'] as const;
export type DocumentPayload = (typeof DOCUMENT_PAYLOADS)[number] | null;

/**
 * The document with the payload a route needs (`content`, `transcript`, or none: the other is
 * null); its columns are null when the encounter has no such document or the caller may not
 * read the encounter (`encounter_document`). `documentId` null: no document matches, and only
 * the encounter is checked.
 */
export function documentQuery(organizationId: string, encounterId: string, documentId: string | null, payload: DocumentPayload): SqlQuery {
  return { text: 'SELECT * FROM encounter_document($1, $2, $3, $4)', values: [organizationId, encounterId, documentId, payload] };
}
