import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from '../../organizations/entities/organization.entity';
import { PatientEntity } from './patient.entity';
import type { EncounterPurpose } from '../encounter-types';
import { LISTED_ENCOUNTER_SQL } from '../listed-encounter';

/**
 * Timestamps keep millisecond precision, the precision of a JS Date: what a partner reads
 * in `created_at` is exactly what `start_at`/`end_at` compare against.
 */
@Entity('encounters')
@Check('CHK_encounters_purpose', `"purpose" IN ('clinical', 'demo', 'training')`)
// Serves the list and its count: organization, then the (created_at, encounter_id) order in
// both directions. Partial on the only encounters ever listed, so a count is an index-only scan
// (made by migration ListIndexOnClinicalEncounters; test/e2e/database-routines.e2e-spec.ts holds it to this predicate).
@Index('IDX_encounters_organization_created_at_id', ['organizationId', 'createdAt', 'encounterId'], { where: LISTED_ENCOUNTER_SQL })
@Index('IDX_encounters_patient', ['patientId'])
export class EncounterEntity {
  @PrimaryColumn('text', { name: 'encounter_id' })
  encounterId: string;

  @Column('text', { name: 'organization_id' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_encounters_organization' })
  organization?: OrganizationEntity;

  @Column('text', { name: 'patient_id' })
  patientId: string;

  @ManyToOne(() => PatientEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'FK_encounters_patient' })
  patient?: PatientEntity;

  @Column('text', { name: 'encounter_type' })
  encounterType: string;

  @Column('text')
  status: string;

  @Column('text', { default: 'clinical' })
  purpose: EncounterPurpose;

  @Column('timestamp with time zone', { name: 'created_at', precision: 3 })
  createdAt: Date;

  @Column('timestamp with time zone', { name: 'updated_at', precision: 3 })
  updatedAt: Date;

  @Column('timestamp with time zone', { name: 'date_of_service', precision: 3, nullable: true })
  dateOfService: Date | null;
}
