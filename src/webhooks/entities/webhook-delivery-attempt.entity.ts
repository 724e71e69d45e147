import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/**
 * One POST of a delivery: when, how it ended and how long it took. Of the response only the
 * status code and a short excerpt are kept.
 */
@Entity('webhook_delivery_attempts')
export class WebhookDeliveryAttemptEntity {
  @PrimaryColumn('text', { name: 'delivery_id' })
  deliveryId: string;

  @ManyToOne(() => WebhookDeliveryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'FK_webhook_delivery_attempts_delivery' })
  delivery?: WebhookDeliveryEntity;

  /** 1 for the first attempt of the delivery, counting across redeliveries. */
  @PrimaryColumn('integer', { name: 'attempt_number' })
  attemptNumber: number;

  @Column('timestamptz', { name: 'attempted_at' })
  attemptedAt: Date;

  /** The receiver's status code; null when none came back (see `error`). */
  @Column('integer', { name: 'status_code', nullable: true })
  statusCode: number | null;

  /** Why no status code came back: `timeout`, `target_not_public`, `dns_error`, `connection_refused`… */
  @Column('text', { nullable: true })
  error: string | null;

  @Column('integer', { name: 'duration_ms' })
  durationMs: number;

  /** The first bytes of the response body, for an operator reading a failure. */
  @Column('text', { name: 'response_excerpt', nullable: true })
  responseExcerpt: string | null;
}
