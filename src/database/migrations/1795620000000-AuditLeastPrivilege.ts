import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PHI access audit under least privilege (docs/operations.md "Database roles"):
 *
 * - `TRUNCATE` of `phi_access_records` or of any partition is refused for everyone, its owner
 *   included: row triggers do not fire on TRUNCATE, so a statement trigger on every table of
 *   the audit does (a partitioned table's statement triggers are not cloned onto its
 *   partitions: `ensure_phi_access_partitions` adds it to each month it creates).
 * - `ensure_phi_access_partitions` runs with its owner's rights (SECURITY DEFINER, with a fixed
 *   search_path so that a caller's objects cannot stand in for the audit's): a service role
 *   granted only SELECT and INSERT on the audit (`db grant`) still creates the months ahead.
 *   Only the roles `db grant` names may call it.
 */
export class AuditLeastPrivilege1795620000000 implements MigrationInterface {
  name = 'AuditLeastPrivilege1795620000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DO $$
      DECLARE
        audit_table regclass;
      BEGIN
        FOR audit_table IN SELECT 'phi_access_records'::regclass
                           UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'phi_access_records'::regclass LOOP
          EXECUTE format('CREATE TRIGGER "phi_access_records_no_truncate" BEFORE TRUNCATE ON %s
            FOR EACH STATEMENT EXECUTE FUNCTION "phi_access_records_append_only"()', audit_table);
        END LOOP;
      END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "ensure_phi_access_partitions"(since timestamptz, months_ahead integer) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER AS $$
      DECLARE
        month_start timestamptz;
        partition_name text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('ensure_phi_access_partitions'));
        FOR i IN 0..months_ahead LOOP
          month_start := date_trunc('month', since AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
          partition_name := 'phi_access_records_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
          IF to_regclass(quote_ident(partition_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF "phi_access_records" FOR VALUES FROM (%L) TO (%L)',
              partition_name, month_start, month_start + interval '1 month');
            EXECUTE format('CREATE TRIGGER "phi_access_records_no_truncate" BEFORE TRUNCATE ON %I
              FOR EACH STATEMENT EXECUTE FUNCTION "phi_access_records_append_only"()', partition_name);
          END IF;
        END LOOP;
      END $$`);
    await queryRunner.query(`DO $$ BEGIN
        EXECUTE format('ALTER FUNCTION "ensure_phi_access_partitions"(timestamptz, integer) SET search_path = %I, pg_temp', current_schema());
      END $$`);
    await queryRunner.query(`REVOKE EXECUTE ON FUNCTION "ensure_phi_access_partitions"(timestamptz, integer) FROM PUBLIC`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION "ensure_phi_access_partitions"(timestamptz, integer) TO PUBLIC`);
    await queryRunner.query(`ALTER FUNCTION "ensure_phi_access_partitions"(timestamptz, integer) SECURITY INVOKER RESET search_path`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "ensure_phi_access_partitions"(since timestamptz, months_ahead integer) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        month_start timestamptz;
        partition_name text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('ensure_phi_access_partitions'));
        FOR i IN 0..months_ahead LOOP
          month_start := date_trunc('month', since AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
          partition_name := 'phi_access_records_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
          IF to_regclass(quote_ident(partition_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF "phi_access_records" FOR VALUES FROM (%L) TO (%L)',
              partition_name, month_start, month_start + interval '1 month');
          END IF;
        END LOOP;
      END $$`);
    await queryRunner.query(`DO $$
      DECLARE
        audit_table regclass;
      BEGIN
        FOR audit_table IN SELECT tgrelid::regclass FROM pg_trigger
                           WHERE tgname = 'phi_access_records_no_truncate'
                             AND tgrelid IN (SELECT 'phi_access_records'::regclass
                                             UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = 'phi_access_records'::regclass) LOOP
          EXECUTE format('DROP TRIGGER "phi_access_records_no_truncate" ON %s', audit_table);
        END LOOP;
      END $$`);
  }
}
