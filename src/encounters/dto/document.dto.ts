import type { NoteContent, TranscriptTurn } from '../encounter-types';

/** `GET …/documents/{document_id}` for a `document` (a note). */
export class NoteDocumentDto {
  document_id: string;
  encounter_id: string;
  schema_type: 'document';
  title: string;
  status: string | null;
  workflow_variant: string | null;
  created_at: string;
  updated_at: string;
  /** `null` while the note has no body yet. */
  content: NoteContent | null;
}

/** `GET …/documents/{document_id}` for an `ambient_transcript`: metadata only. */
export class TranscriptDocumentDto {
  document_id: string;
  encounter_id: string;
  schema_type: 'ambient_transcript';
  title: string;
  status: string | null;
  workflow_variant: string | null;
  audio_duration_seconds: number | null;
  created_at: string;
  updated_at: string;
}

export class DocumentDetailDto {
  document: NoteDocumentDto | TranscriptDocumentDto;
}

export class TranscriptDto {
  provider: string;
  audio_duration_seconds: number | null;
  turns: TranscriptTurn[];
}

/** `GET …/documents/{document_id}/transcript`. */
export class TranscriptResponseDto {
  encounter_id: string;
  document_id: string;
  transcript: TranscriptDto;
}
