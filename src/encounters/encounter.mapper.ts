import type { DisclosedItem } from '../audit/disclosure';
import type { NoteDocumentDto, TranscriptDocumentDto, TranscriptResponseDto } from './dto/document.dto';
import type { EncounterDto } from './dto/encounter.dto';
import type { DocumentRow, EncounterViewRow } from './encounter-queries';
import type { StoredTranscript } from './encounter-types';

/** Rows → response bodies: the fields the contract shows, in its order. The reads already write timestamps as the API does. */
export function toEncounterDto(row: EncounterViewRow): EncounterDto {
  return {
    encounter_id: row.encounter_id,
    organization_id: row.organization_id,
    encounter_type: row.encounter_type,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
    date_of_service: row.date_of_service,
    patient: {
      patient_id: row.patient_id,
      first_name: row.first_name,
      last_name: row.last_name,
      date_of_birth: row.date_of_birth,
    },
    // Built by the database with exactly the summary's fields, in order (DOCUMENT_SUMMARY_FIELDS).
    documents: row.documents,
  };
}

/** What an encounter's body discloses, for the audit: the encounter, its patient and the documents it lists. */
export function disclosedEncounterOf(row: EncounterViewRow): DisclosedItem {
  return { encounter_id: row.encounter_id, patient_id: row.patient_id, document_ids: row.documents.map((document) => document.document_id) };
}

/** What a document route's body discloses, for the audit; `recording_id` when it hands out the recording. */
export function disclosedDocumentOf(row: DocumentRow, recordingId?: string): DisclosedItem {
  return { encounter_id: row.encounter_id, patient_id: row.patient_id, document_ids: [row.document_id], ...(recordingId !== undefined && { recording_id: recordingId }) };
}

export function toNoteDocumentDto(row: DocumentRow): NoteDocumentDto {
  return {
    document_id: row.document_id,
    encounter_id: row.encounter_id,
    schema_type: 'document',
    title: row.title,
    status: row.status,
    workflow_variant: row.workflow_variant,
    created_at: row.created_at,
    updated_at: row.updated_at,
    content: row.content && { format: row.content.format, text: row.content.text },
  };
}

export function toTranscriptDocumentDto(row: DocumentRow): TranscriptDocumentDto {
  return {
    document_id: row.document_id,
    encounter_id: row.encounter_id,
    schema_type: 'ambient_transcript',
    title: row.title,
    status: row.status,
    workflow_variant: row.workflow_variant,
    audio_duration_seconds: row.audio_duration_seconds,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toTranscriptResponseDto(row: DocumentRow, transcript: StoredTranscript): TranscriptResponseDto {
  return {
    encounter_id: row.encounter_id,
    document_id: row.document_id,
    transcript: {
      provider: transcript.provider,
      audio_duration_seconds: row.audio_duration_seconds,
      turns: transcript.turns.map(({ speaker, start, end, text }) => ({ speaker, start, end, text })),
    },
  };
}
