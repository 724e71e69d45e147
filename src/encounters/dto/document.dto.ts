import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';

@ApiSchema({ name: 'NoteContent' })
export class NoteContentDto {
  @ApiProperty({ enum: ['markdown', 'text'] }) format: 'markdown' | 'text';
  @ApiProperty({ example: '## Assessment\nStable.' }) text: string;
}

/** `GET …/documents/{document_id}` for a `document` (a note). */
@ApiSchema({ name: 'NoteDocument' })
export class NoteDocumentDto {
  @ApiProperty() document_id: string;
  @ApiProperty() encounter_id: string;
  @ApiProperty({ enum: ['document'] }) schema_type: 'document';
  @ApiProperty() title: string;
  @ApiProperty({ type: 'string', nullable: true }) status: string | null;
  @ApiProperty({ type: 'string', nullable: true }) workflow_variant: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({ type: NoteContentDto, nullable: true, description: 'null while the note has no body yet.' })
  content: NoteContentDto | null;
}

/** `GET …/documents/{document_id}` for an `ambient_transcript`: metadata only. */
@ApiSchema({ name: 'TranscriptDocument' })
export class TranscriptDocumentDto {
  @ApiProperty() document_id: string;
  @ApiProperty() encounter_id: string;
  @ApiProperty({ enum: ['ambient_transcript'] }) schema_type: 'ambient_transcript';
  @ApiProperty() title: string;
  @ApiProperty({ type: 'string', nullable: true }) status: string | null;
  @ApiProperty({ type: 'string', nullable: true }) workflow_variant: string | null;
  @ApiProperty({ type: 'number', nullable: true }) audio_duration_seconds: number | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

@ApiExtraModels(NoteDocumentDto, TranscriptDocumentDto)
@ApiSchema({ name: 'DocumentDetail' })
export class DocumentDetailDto {
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(NoteDocumentDto) }, { $ref: getSchemaPath(TranscriptDocumentDto) }],
    discriminator: {
      propertyName: 'schema_type',
      mapping: { document: getSchemaPath(NoteDocumentDto), ambient_transcript: getSchemaPath(TranscriptDocumentDto) },
    },
  })
  document: NoteDocumentDto | TranscriptDocumentDto;
}

@ApiSchema({ name: 'TranscriptTurn' })
export class TranscriptTurnDto {
  @ApiProperty({ example: 'clinician' }) speaker: string;
  @ApiProperty({ description: 'Seconds from the start of the recording.', example: 0 }) start: number;
  @ApiProperty({ description: 'Seconds from the start of the recording.', example: 1.6 }) end: number;
  @ApiProperty({ example: 'Good morning.' }) text: string;
}

@ApiSchema({ name: 'Transcript' })
export class TranscriptDto {
  @ApiProperty({ example: 'deepgram' }) provider: string;
  @ApiProperty({ type: 'number', nullable: true, example: 842.4 }) audio_duration_seconds: number | null;
  @ApiProperty({ type: [TranscriptTurnDto] }) turns: TranscriptTurnDto[];
}

/** `GET …/documents/{document_id}/transcript`. */
@ApiSchema({ name: 'TranscriptResponse' })
export class TranscriptResponseDto {
  @ApiProperty() encounter_id: string;
  @ApiProperty() document_id: string;
  @ApiProperty({ type: TranscriptDto }) transcript: TranscriptDto;
}
