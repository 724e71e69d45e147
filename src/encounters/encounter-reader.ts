import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DocumentSummaryDto } from './dto/encounter.dto';
import type { EncounterAccessRow } from './encounter-access';
import type { NoteContent, StoredTranscript } from './encounter-types';

/** One encounter as the API shows it, with its patient and document summaries. */
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
  documents: DocumentSummaryDto[];
}

export interface DocumentRow {
  document_id: string;
  encounter_id: string;
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

/** Only clinical encounters are ever shown to partners. */
const LISTED = `e.purpose = 'clinical'`;

/**
 * Every read of the encounter routes, scoped by the caller's organization in the SQL itself.
 * Single-encounter reads also return `EncounterAccessRow`, so that "not found", "another
 * organization's" and "demo or training" are told apart in the same round trip, without
 * reading anything else of an encounter the caller may not see.
 */
@Injectable()
export class EncounterReader {
  constructor(private readonly dataSource: DataSource) {}

  /** One page, in (created_at, encounter_id) order; its limit/offset apply before the joins. */
  async listPage(criteria: EncounterListCriteria): Promise<EncounterViewRow[]> {
    const { where, params } = listFilter(criteria);
    const direction = criteria.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const order = `ORDER BY e.created_at ${direction}, e.encounter_id ${direction}`;
    params.push(criteria.limit, criteria.offset);
    return this.dataSource.query<EncounterViewRow[]>(
      `SELECT ${ENCOUNTER_VIEW_COLUMNS}
       FROM (
         SELECT e.* FROM encounters e WHERE ${where} ${order}
         LIMIT $${params.length - 1} OFFSET $${params.length}
       ) e
       JOIN patients p ON p.patient_id = e.patient_id
       ${order}`,
      params,
    );
  }

  async count(criteria: EncounterListCriteria): Promise<number> {
    const { where, params } = listFilter(criteria);
    const [row] = await this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM encounters e WHERE ${where}`, params);
    return row.total;
  }

  /** The encounter's view is null unless the caller may read it. */
  async findEncounter(organizationId: string, encounterId: string): Promise<(EncounterAccessRow & Partial<EncounterViewRow>) | undefined> {
    const [row] = await this.dataSource.query<(EncounterAccessRow & Partial<EncounterViewRow>)[]>(
      `SELECT e.organization_id = $2 AS in_caller_organization, e.purpose AS purpose, view.*
       FROM encounters e
       LEFT JOIN LATERAL (
         SELECT ${ENCOUNTER_VIEW_COLUMNS} FROM patients p
         WHERE p.patient_id = e.patient_id AND e.organization_id = $2 AND ${LISTED}
       ) view ON true
       WHERE e.encounter_id = $1`,
      [encounterId, organizationId],
    );
    return row;
  }

  /**
   * The document with the payload a route needs (`content` or `transcript`); its columns are
   * null when the encounter has no such document or the caller may not read the encounter.
   */
  async findDocument(
    organizationId: string,
    encounterId: string,
    documentId: string,
    payload: 'content' | 'transcript',
  ): Promise<(EncounterAccessRow & Partial<DocumentRow>) | undefined> {
    const [row] = await this.dataSource.query<(EncounterAccessRow & Partial<DocumentRow>)[]>(
      `SELECT e.organization_id = $3 AS in_caller_organization, e.purpose AS purpose,
              d.document_id, d.encounter_id, d.schema_type, d.title, d.status, d.workflow_variant,
              d.audio_duration_seconds, d.created_at, d.updated_at, d.${payload}
       FROM encounters e
       LEFT JOIN documents d
         ON d.encounter_id = e.encounter_id AND d.document_id = $2 AND e.organization_id = $3 AND ${LISTED}
       WHERE e.encounter_id = $1`,
      [encounterId, documentId, organizationId],
    );
    return row;
  }
}

function listFilter(criteria: EncounterListCriteria): { where: string; params: unknown[] } {
  const params: unknown[] = [criteria.organizationId];
  const conditions = ['e.organization_id = $1', LISTED];
  if (criteria.startAt) conditions.push(`e.created_at >= $${params.push(criteria.startAt)}`);
  if (criteria.endAt) conditions.push(`e.created_at < $${params.push(criteria.endAt)}`);
  return { where: conditions.join(' AND '), params };
}
