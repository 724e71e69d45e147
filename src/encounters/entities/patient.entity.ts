import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from '../../organizations/entities/organization.entity';

@Entity('patients')
@Index('IDX_patients_organization', ['organizationId'])
export class PatientEntity {
  @PrimaryColumn('text', { name: 'patient_id' })
  patientId: string;

  @Column('text', { name: 'organization_id' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_patients_organization' })
  organization?: OrganizationEntity;

  @Column('text', { name: 'first_name' })
  firstName: string;

  @Column('text', { name: 'last_name' })
  lastName: string;

  /** A calendar date: read back as text (`YYYY-MM-DD`) so no time zone can shift it. */
  @Column('date', { name: 'date_of_birth' })
  dateOfBirth: string;
}
