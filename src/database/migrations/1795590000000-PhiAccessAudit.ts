import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PHI access audit (src/audit/): one row per partner-route response to an authenticated
 * key and per media fetch, kept for years.
 *
 * - Range-partitioned by month on `occurred_at`: retention is `DROP TABLE` of a month older
 *   than the retention period (docs/operations.md), and "by organization and time" scans only
 *   the months asked for. `ensure_phi_access_partitions` creates the months to come; the
 *   server calls it at start and daily (AuditPartitions). The DEFAULT partition catches a row
 *   whose month was not created in time, so that a missing partition never fails a request.
 * - Append-only: a row trigger, cloned onto every partition, refuses UPDATE and DELETE, whoever
 *   runs them. TRUNCATE and DROP are left to the table's owner (retention, `fixtures load
 *   --reset`); the service's role is granted only SELECT and INSERT (docs/operations.md).
 * - `disclosed` holds what a 2xx disclosed, item by item (`[{ encounter_id, patient_id,
 *   document_ids, recording_id? }]`); `patient_ids` repeats its patients for the GIN index
 *   behind `audit patient`.
 */
export class PhiAccessAudit1795590000000 implements MigrationInterface {
  name = 'PhiAccessAudit1795590000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "phi_access_records" (
      "record_id" bigserial NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "request_id" text NOT NULL,
      "organization_id" text NOT NULL,
      "key_id" text NOT NULL,
      "route_id" text NOT NULL,
      "status" smallint NOT NULL,
      "reason_code" text,
      "client_address" text,
      "user_agent" text,
      "disclosed" jsonb NOT NULL DEFAULT '[]',
      "patient_ids" text[] NOT NULL DEFAULT '{}',
      CONSTRAINT "PK_phi_access_records" PRIMARY KEY ("occurred_at", "record_id")
    ) PARTITION BY RANGE ("occurred_at")`);
    await queryRunner.query(`CREATE TABLE "phi_access_records_default" PARTITION OF "phi_access_records" DEFAULT`);
    await queryRunner.query(`CREATE INDEX "IDX_phi_access_records_organization_time" ON "phi_access_records" ("organization_id", "occurred_at", "record_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_phi_access_records_patients" ON "phi_access_records" USING gin ("patient_ids")`);

    await queryRunner.query(`CREATE FUNCTION "phi_access_records_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'phi_access_records is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`CREATE TRIGGER "phi_access_records_append_only" BEFORE UPDATE OR DELETE ON "phi_access_records"
      FOR EACH ROW EXECUTE FUNCTION "phi_access_records_append_only"()`);

    // The month of `since` and `months_ahead` after it, each created once; instances that run
    // it at the same time take turns (the advisory lock).
    await queryRunner.query(`CREATE FUNCTION "ensure_phi_access_partitions"(since timestamptz, months_ahead integer) RETURNS void
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
    await queryRunner.query(`SELECT "ensure_phi_access_partitions"(now(), 2)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "phi_access_records"`);
    await queryRunner.query(`DROP FUNCTION "ensure_phi_access_partitions"(timestamptz, integer)`);
    await queryRunner.query(`DROP FUNCTION "phi_access_records_append_only"()`);
  }
}
