import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A ChartHero customer organization: the tenant every partner request is scoped to. */
@Entity('organizations')
export class OrganizationEntity {
  @PrimaryColumn('text', { name: 'organization_id' })
  organizationId: string;

  @Column('text')
  name: string;

  /** Organization-wide switch for API-key access (`401 api_keys_disabled` when off). */
  @Column('boolean', { name: 'api_keys_enabled', default: true })
  apiKeysEnabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
