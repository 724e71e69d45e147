import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { DocumentEntity } from '../../encounters/entities/document.entity';

/**
 * The recording of an `ambient_transcript` document: at most one per document. The bytes are
 * in the configured store under a key derived from `recording_id` alone, an opaque random id,
 * so neither a media URL nor an object key names the document, its encounter or its patient.
 */
@Entity('recordings')
export class RecordingEntity {
  @PrimaryColumn('text', { name: 'recording_id' })
  recordingId: string;

  /** Unique: the one-to-one relation below makes it so. */
  @Column('text', { name: 'document_id' })
  documentId: string;

  @OneToOne(() => DocumentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id', foreignKeyConstraintName: 'FK_recordings_document' })
  document?: DocumentEntity;

  /** As given when stored (`audio/wav`, `audio/mpeg`…): served as the media's `Content-Type`. */
  @Column('text', { name: 'content_type' })
  contentType: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
