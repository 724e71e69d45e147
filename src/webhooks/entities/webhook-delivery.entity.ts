import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import type { WebhookDeliveryStatus } from '../webhook-types';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEventEntity } from './webhook-event.entity';

/**
 * One event for one endpoint: its id (`whd_…`) is the same on every attempt. Created with the
 * event, for the endpoints enabled and subscribed at that moment.
 */
@Entity('webhook_deliveries')
@Unique('UQ_webhook_deliveries_event_endpoint', ['eventId', 'endpointId'])
// What a dispatcher claims: pending deliveries whose next attempt is due.
@Index('IDX_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Check('CHK_webhook_deliveries_status', `"status" IN ('pending', 'delivered', 'failed')`)
export class WebhookDeliveryEntity {
  @PrimaryColumn('text', { name: 'delivery_id' })
  deliveryId: string;

  @Column('text', { name: 'event_id' })
  eventId: string;

  @ManyToOne(() => WebhookEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'FK_webhook_deliveries_event' })
  event?: WebhookEventEntity;

  @Column('text', { name: 'endpoint_id' })
  endpointId: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'FK_webhook_deliveries_endpoint' })
  endpoint?: WebhookEndpointEntity;

  @Column('text', { default: 'pending' })
  status: WebhookDeliveryStatus;

  /** Every attempt ever made: the number of the last row in `webhook_delivery_attempts`. */
  @Column('integer', { name: 'attempt_count', default: 0 })
  attemptCount: number;

  /** Attempts since it was last queued (created, redelivered, replayed): its place on the retry schedule. */
  @Column('integer', { name: 'attempts_since_queued', default: 0 })
  attemptsSinceQueued: number;

  /** When a dispatcher may next claim it; while claimed, when that claim's lease expires. */
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  /** The claim of the dispatcher attempting it; only that claim may record the attempt's outcome. */
  @Column('text', { name: 'lease_token', nullable: true })
  leaseToken: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
