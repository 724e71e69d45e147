/**
 * The SQL of the encounter routes, scoped by the caller's organization in the SQL itself.
 * Pure builders: EncounterRepository runs them through TypeORM, the benchmark baseline through pg.
 */
import type { NoteContent, StoredTranscript } from './encounter-types';

/** A document of an encounter, as aggregated into `EncounterViewRow.documents` (JSON). */
export interface DocumentSummaryRow {
  document_id: string;
  schema_type: string;
  title: string;
  status: string | null;
  workflow_variant: string | null;
  audio_duration_seconds: number | null;
}

/** One encounter with its patient and document summaries: what the list and detail routes show. */
export interface EncounterViewRow {
  encounter_id: string;
  organization_id: string;
  encounter_type: string;
  status: string;
  created_at: Date;
  updated_at: Date;
  date_of_service: Date | null;
  patient_id: string;
  first_name: string;
  last_name: string;
  date_of_birth: string;
  documents: DocumentSummaryRow[];
}

/** A document as `documentQuery` reads it: of `content` and `transcript`, only its payload is there. */
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
  created_at: Date;
  updated_at: Date;
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

/**
 * The columns of `EncounterViewRow`, over an encounter `e`. Documents are aggregated in the
 * database so that a page of encounters, with everything it embeds, is one round trip.
 * `date_of_birth` is read as text: a DATE parsed into a JS Date would shift with the time zone.
 */
const ENCOUNTER_VIEW_COLUMNS = `
  e.encounter_id, e.organization_id, e.encounter_type, e.status,
  e.created_at, e.updated_at, e.date_of_service,
  p.patient_id, p.first_name, p.last_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  COALESCE((
    SELECT json_agg(json_build_object(
      'document_id', d.document_id, 'schema_type', d.schema_type, 'title', d.title,
      'status', d.status, 'workflow_variant', d.workflow_variant,
      'audio_duration_seconds', d.audio_duration_seconds
    ) ORDER BY d.created_at, d.document_id)
    FROM documents d WHERE d.encounter_id = e.encounter_id
  ), '[]'::json) AS documents`;

/** Only clinical encounters are ever shown to partners (and counted in `listed_encounter_counts`). */
export const LISTED = `e.purpose = 'clinical'`;

/** A parameterized statement, run as is by the service and by the benchmark baseline. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** A row of `listQuery`: the filter's total, and an encounter of the page unless it is empty. */
export type EncounterListRow = { total: number } & (EncounterViewRow | { [Column in keyof EncounterViewRow]: null });

/**
 * One page in (created_at, encounter_id) order, and the `total` of the same filter, in one
 * statement: one round trip, and the total and the page are read from the same snapshot.
 * The page's ids are found first, from the list index alone (an index-only scan: walking
 * 10,000 entries to a deep offset reads no table row), then only those encounters are read and
 * joined. A page past the end is a single row with the total and null encounter columns (see
 * `splitListRows`).
 */
export function listQuery(criteria: EncounterListCriteria): SqlQuery {
  const { where, values } = listFilter(criteria);
  const direction = criteria.sortOrder === 'asc' ? 'ASC' : 'DESC';
  values.push(criteria.limit, criteria.offset);
  return {
    text: `SELECT total.total, page.*
       FROM (${totalQuery(criteria, where)}) total
       LEFT JOIN LATERAL (
         SELECT ${ENCOUNTER_VIEW_COLUMNS}
         FROM (
           SELECT e.encounter_id FROM encounters e WHERE ${where}
           ORDER BY e.created_at ${direction}, e.encounter_id ${direction}
           LIMIT $${values.length - 1} OFFSET $${values.length}
         ) page_ids
         JOIN encounters e ON e.encounter_id = page_ids.encounter_id
         JOIN patients p ON p.patient_id = e.patient_id
       ) page ON true
       ORDER BY page.created_at ${direction}, page.encounter_id ${direction}`,
    values,
  };
}

/** The rows of `listQuery` as the page's encounters and the total. */
export function splitListRows(rows: EncounterListRow[]): { encounters: EncounterViewRow[]; total: number } {
  return { encounters: rows.filter((row): row is EncounterListRow & EncounterViewRow => row.encounter_id !== null), total: rows[0].total };
}

/**
 * Without a time window the total is the organization's listed-encounter count, kept exact by
 * triggers on encounters (migration ListedEncounterCounts): O(1) where counting a large
 * organization costs tens of milliseconds. A window is counted over the list index.
 */
function totalQuery(criteria: EncounterListCriteria, where: string): string {
  if (!criteria.startAt && !criteria.endAt) {
    // $1 is the organization, as in every `listFilter`.
    return `SELECT COALESCE((SELECT encounter_count FROM listed_encounter_counts WHERE organization_id = $1), 0) AS total`;
  }
  return `SELECT count(*)::int AS total FROM encounters e WHERE ${where}`;
}

/** The encounter's view columns are null unless the caller may read it. */
export function encounterQuery(organizationId: string, encounterId: string): SqlQuery {
  return {
    text: `SELECT e.organization_id = $2 AS in_caller_organization, e.purpose AS purpose, view.*
       FROM encounters e
       LEFT JOIN LATERAL (
         SELECT ${ENCOUNTER_VIEW_COLUMNS} FROM patients p
         WHERE p.patient_id = e.patient_id AND e.organization_id = $2 AND ${LISTED}
       ) view ON true
       WHERE e.encounter_id = $1`,
    values: [encounterId, organizationId],
  };
}

/** The large column a document route reads besides the metadata, if any. */
export type DocumentPayload = 'content' | 'transcript' | null;

/**
 * The document with the payload a route needs (`content`, `transcript`, or none); its columns
 * are null when the encounter has no such document or the caller may not read the encounter.
 */
/** `documentId` null: no document matches, and only the encounter is checked. */
export function documentQuery(organizationId: string, encounterId: string, documentId: string | null, payload: DocumentPayload): SqlQuery {
  return {
    text: `SELECT e.organization_id = $3 AS in_caller_organization, e.purpose AS purpose,
              d.document_id, d.encounter_id, e.patient_id, d.schema_type, d.title, d.status, d.workflow_variant,
              d.audio_duration_seconds, d.created_at, d.updated_at${payload ? `, d.${payload}` : ''}
       FROM encounters e
       LEFT JOIN documents d
         ON d.encounter_id = e.encounter_id AND d.document_id = $2 AND e.organization_id = $3 AND ${LISTED}
       WHERE e.encounter_id = $1`,
    values: [encounterId, documentId, organizationId],
  };
}

function listFilter(criteria: EncounterListCriteria): { where: string; values: unknown[] } {
  const values: unknown[] = [criteria.organizationId];
  const conditions = ['e.organization_id = $1', LISTED];
  if (criteria.startAt) conditions.push(`e.created_at >= $${values.push(criteria.startAt)}`);
  if (criteria.endAt) conditions.push(`e.created_at < $${values.push(criteria.endAt)}`);
  return { where: conditions.join(' AND '), values };
}
