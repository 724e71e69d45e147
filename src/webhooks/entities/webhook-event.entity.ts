import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { WebhookEventType } from '../webhook-types';

/**
 * Something partners are told about. Written only by the database itself (the trigger of
 * migration Webhooks), in the transaction of the write it reports: never lost, never invented.
 * No foreign keys: an event outlives the rows it points at, as partners' copies do.
 */
@Entity('webhook_events')
@Index('IDX_webhook_events_organization_occurred_at', ['organizationId', 'occurredAt'])
export class WebhookEventEntity {
  @PrimaryColumn('text', { name: 'event_id' })
  eventId: string;

  @Column('text')
  type: WebhookEventType;

  @Column('text', { name: 'organization_id' })
  organizationId: string;

  @Column('text', { name: 'encounter_id' })
  encounterId: string;

  @Column('text', { name: 'document_id' })
  documentId: string;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt: Date;
}
