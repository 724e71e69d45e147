import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** Response bodies of the encounter routes, field for field as the partner guide shows them. */

@ApiSchema({ name: 'Patient' })
export class PatientDto {
  @ApiProperty({ example: 'pat_3Qn8' }) patient_id: string;
  @ApiProperty({ example: 'Jane' }) first_name: string;
  @ApiProperty({ example: 'Doe' }) last_name: string;
  @ApiProperty({ format: 'date', example: '1970-01-01', description: 'A calendar date; never shifted by a time zone.' })
  date_of_birth: string;
}

@ApiSchema({ name: 'DocumentSummary' })
export class DocumentSummaryDto {
  @ApiProperty({ example: 'doc_Ambient1' }) document_id: string;
  @ApiProperty({ example: 'ambient_transcript', description: 'document, ambient_transcript, or another product type.' })
  schema_type: string;
  @ApiProperty({ example: 'Ambient transcript' }) title: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'completed' }) status: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'ambient' }) workflow_variant: string | null;
  @ApiProperty({ type: 'number', nullable: true, example: 842.4 }) audio_duration_seconds: number | null;
}

@ApiSchema({ name: 'Encounter' })
export class EncounterDto {
  @ApiProperty({ example: 'enc_9YpJvK2' }) encounter_id: string;
  @ApiProperty({ example: 'org_7Df4' }) organization_id: string;
  @ApiProperty({ example: 'ambient' }) encounter_type: string;
  @ApiProperty({ example: 'completed' }) status: string;
  @ApiProperty({ format: 'date-time', example: '2026-05-25T14:00:00Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-05-25T15:00:00Z' }) updated_at: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: '2026-05-25T14:00:00Z' }) date_of_service: string | null;
  @ApiProperty({ type: PatientDto }) patient: PatientDto;
  @ApiProperty({ type: [DocumentSummaryDto], description: 'Ordered by document created_at, then document_id.' })
  documents: DocumentSummaryDto[];
}

@ApiSchema({ name: 'EncounterList' })
export class EncounterListDto {
  @ApiProperty({ type: [EncounterDto] }) items: EncounterDto[];
  @ApiProperty({ type: 'integer', description: 'The effective page size.' }) limit: number;
  @ApiProperty({ type: 'integer', description: 'The effective offset.' }) offset: number;
  @ApiProperty({ type: 'integer', description: 'All encounters matching the filter, not just this page.' }) total: number;
}

@ApiSchema({ name: 'EncounterDetail' })
export class EncounterDetailDto {
  @ApiProperty({ type: EncounterDto }) encounter: EncounterDto;
}
