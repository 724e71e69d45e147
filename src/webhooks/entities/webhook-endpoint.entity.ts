import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from '../../organizations/entities/organization.entity';
import type { WebhookEndpointStatus, WebhookEventType } from '../webhook-types';

/**
 * Where a partner organization receives events. The signing secret is stored encrypted
 * (AES-256-GCM under `WEBHOOK_SECRET_KEY`); during a rotation's grace period the previous one
 * is kept too, and both sign.
 */
@Entity('webhook_endpoints')
@Index('IDX_webhook_endpoints_organization', ['organizationId'])
@Check('CHK_webhook_endpoints_status', `"status" IN ('enabled', 'disabled')`)
export class WebhookEndpointEntity {
  @PrimaryColumn('text', { name: 'endpoint_id' })
  endpointId: string;

  @Column('text', { name: 'organization_id' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_webhook_endpoints_organization' })
  organization?: OrganizationEntity;

  @Column('text')
  url: string;

  @Column('text', { array: true })
  events: WebhookEventType[];

  @Column('text', { default: 'enabled' })
  status: WebhookEndpointStatus;

  @Column('text', { name: 'secret_ciphertext' })
  secretCiphertext: string;

  @Column('text', { name: 'previous_secret_ciphertext', nullable: true })
  previousSecretCiphertext: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
