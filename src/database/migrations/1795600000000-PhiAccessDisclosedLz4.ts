import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `phi_access_records.disclosed` compressed with LZ4 where the server has it (PostgreSQL
 * built `--with-lz4`, as the Debian and official images are; PGlite is not): a list page's
 * record is about 6 KB of JSON, and pglz compressing it was a quarter of the record's cost in
 * the database (docs/PERFORMANCE.md). Only new values are written with LZ4; reading either
 * kind needs nothing.
 *
 * A partition takes its parent's setting when it is created, but `ALTER TABLE` on the parent
 * does not reach the partitions that exist, hence the loop.
 */
export class PhiAccessDisclosedLz41795600000000 implements MigrationInterface {
  name = 'PhiAccessDisclosedLz41795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await setCompression(queryRunner, 'lz4');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await setCompression(queryRunner, 'default');
  }
}

async function setCompression(queryRunner: QueryRunner, method: 'lz4' | 'default'): Promise<void> {
  await queryRunner.query(`DO $$
    DECLARE
      audit_table regclass;
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        RETURN;
      END IF;
      FOR audit_table IN
        SELECT 'phi_access_records'::regclass
        UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'phi_access_records'::regclass
      LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN "disclosed" SET COMPRESSION ${method}', audit_table);
      END LOOP;
    END $$`);
}
