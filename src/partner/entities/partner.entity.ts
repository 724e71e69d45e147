import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from '../../organizations/entities/organization.entity';
import type { PartnerRouteId } from '../partner-routes';

/**
 * The partner allowlist: an organization with a row here is an approved partner, and may
 * call exactly the route ids in `enabledRoutes` (possibly none).
 */
@Entity('partners')
export class PartnerEntity {
  @PrimaryColumn('text', { name: 'organization_id' })
  organizationId: string;

  @OneToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_partners_organization' })
  organization?: OrganizationEntity;

  @Column('text', { name: 'enabled_routes', array: true, default: () => "'{}'" })
  enabledRoutes: PartnerRouteId[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
