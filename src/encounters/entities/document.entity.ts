import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EncounterEntity } from './encounter.entity';
import type { NoteContent, StoredTranscript } from '../encounter-types';

/**
 * A clinical document of an encounter. A `document` keeps its note body in `content`; an
 * `ambient_transcript` keeps its turns in `transcript`. Other schema types carry neither.
 */
@Entity('documents')
// Serves "all documents of these encounters, in (created_at, document_id) order".
@Index('IDX_documents_encounter_created_at_id', ['encounterId', 'createdAt', 'documentId'])
export class DocumentEntity {
  @PrimaryColumn('text', { name: 'document_id' })
  documentId: string;

  @Column('text', { name: 'encounter_id' })
  encounterId: string;

  @ManyToOne(() => EncounterEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'encounter_id', foreignKeyConstraintName: 'FK_documents_encounter' })
  encounter?: EncounterEntity;

  @Column('text', { name: 'schema_type' })
  schemaType: string;

  @Column('text')
  title: string;

  @Column('text', { nullable: true })
  status: string | null;

  @Column('text', { name: 'workflow_variant', nullable: true })
  workflowVariant: string | null;

  @Column('double precision', { name: 'audio_duration_seconds', nullable: true })
  audioDurationSeconds: number | null;

  @Column('timestamp with time zone', { name: 'created_at', precision: 3 })
  createdAt: Date;

  @Column('timestamp with time zone', { name: 'updated_at', precision: 3 })
  updatedAt: Date;

  @Column('jsonb', { nullable: true })
  content: NoteContent | null;

  @Column('jsonb', { nullable: true })
  transcript: StoredTranscript | null;
}
