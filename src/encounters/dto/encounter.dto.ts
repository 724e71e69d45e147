/** Response bodies of the encounter routes, field for field as the partner guide shows them. */

export class PatientDto {
  patient_id: string;
  first_name: string;
  last_name: string;
  /** `YYYY-MM-DD`, never shifted by a time zone. */
  date_of_birth: string;
}

export class DocumentSummaryDto {
  document_id: string;
  schema_type: string;
  title: string;
  status: string | null;
  workflow_variant: string | null;
  audio_duration_seconds: number | null;
}

export class EncounterDto {
  encounter_id: string;
  organization_id: string;
  encounter_type: string;
  status: string;
  created_at: string;
  updated_at: string;
  date_of_service: string | null;
  patient: PatientDto;
  /** Ordered by document `created_at`, then `document_id`. */
  documents: DocumentSummaryDto[];
}

export class EncounterListDto {
  items: EncounterDto[];
  limit: number;
  offset: number;
  total: number;
}

export class EncounterDetailDto {
  encounter: EncounterDto;
}
