import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The list's `total` without a time window, kept exact by the writes themselves: counting the
 * 245,000 clinical encounters of a large organization costs about 35 ms of database CPU per
 * request even as an index-only scan (docs/PERFORMANCE.md), which capped the list at about
 * 50 requests a second on the benchmark machine.
 *
 * Statement-level triggers with transition tables add each statement's net change per
 * organization, once per statement however many rows it wrote (a bulk insert updates each
 * organization's row once). Writers of the same organization serialize on its row until they
 * commit; encounters are written by ChartHero's ingestion, never by this API. Hand-written:
 * TypeORM has no notion of triggers, and the table has no entity because nothing writes it but
 * the triggers (the list reads it: `encounter_list_page`).
 *
 * History, as every migration: the trigger function's current definition is
 * `count_listed_encounters` in src/encounters/encounter-routines.ts, which replaces this one.
 */
export class ListedEncounterCounts1795540000000 implements MigrationInterface {
  name = 'ListedEncounterCounts1795540000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // No foreign key to organizations: deleting one cascades to its encounters, whose trigger
    // then updates this row, which must still be there. The count drops to 0 instead.
    await queryRunner.query(`CREATE TABLE "listed_encounter_counts" (
      "organization_id" text NOT NULL,
      "encounter_count" integer NOT NULL,
      CONSTRAINT "PK_listed_encounter_counts" PRIMARY KEY ("organization_id"))`);

    // Listed = clinical, as in the list's filter and its partial index. Rows are upserted in
    // organization order so that two statements touching the same organizations cannot deadlock.
    // A count below zero means some write escaped the triggers (disabled triggers, or rows
    // replicated in with session_replication_role = replica): that write fails instead. It is
    // checked here, not by a CHECK constraint, which PostgreSQL would apply to the proposed row
    // (a negative change) before resolving the conflict.
    await queryRunner.query(`CREATE FUNCTION "count_listed_encounters"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        lowest integer;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM listed_encounter_counts;
          RETURN NULL;
        END IF;
        EXECUTE format(
          'WITH upserted AS (
             INSERT INTO listed_encounter_counts AS counts (organization_id, encounter_count)
               SELECT organization_id, sum(change) FROM (%s) changes
               GROUP BY organization_id HAVING sum(change) <> 0 ORDER BY organization_id
             ON CONFLICT (organization_id) DO UPDATE SET encounter_count = counts.encounter_count + excluded.encounter_count
             RETURNING counts.encounter_count)
           SELECT min(encounter_count) FROM upserted',
          CASE TG_OP
            WHEN 'INSERT' THEN 'SELECT organization_id, 1 AS change FROM new_encounters WHERE purpose = ''clinical'''
            WHEN 'DELETE' THEN 'SELECT organization_id, -1 AS change FROM old_encounters WHERE purpose = ''clinical'''
            ELSE 'SELECT organization_id, 1 AS change FROM new_encounters WHERE purpose = ''clinical''
                  UNION ALL SELECT organization_id, -1 FROM old_encounters WHERE purpose = ''clinical'''
          END) INTO lowest;
        IF lowest < 0 THEN
          RAISE EXCEPTION 'listed_encounter_counts would go below zero: a write to encounters escaped its triggers';
        END IF;
        RETURN NULL;
      END $$`);
    // A trigger with transition tables may have only one event, hence one per event.
    await queryRunner.query(`CREATE TRIGGER "count_listed_encounters_inserted" AFTER INSERT ON "encounters"
      REFERENCING NEW TABLE AS new_encounters FOR EACH STATEMENT EXECUTE FUNCTION "count_listed_encounters"()`);
    await queryRunner.query(`CREATE TRIGGER "count_listed_encounters_updated" AFTER UPDATE ON "encounters"
      REFERENCING OLD TABLE AS old_encounters NEW TABLE AS new_encounters FOR EACH STATEMENT EXECUTE FUNCTION "count_listed_encounters"()`);
    await queryRunner.query(`CREATE TRIGGER "count_listed_encounters_deleted" AFTER DELETE ON "encounters"
      REFERENCING OLD TABLE AS old_encounters FOR EACH STATEMENT EXECUTE FUNCTION "count_listed_encounters"()`);
    await queryRunner.query(`CREATE TRIGGER "count_listed_encounters_truncated" AFTER TRUNCATE ON "encounters"
      FOR EACH STATEMENT EXECUTE FUNCTION "count_listed_encounters"()`);

    // The triggers' lock on encounters holds off writers until this migration commits, so
    // no write falls between the count below and the triggers.
    await queryRunner.query(`INSERT INTO "listed_encounter_counts" ("organization_id", "encounter_count")
      SELECT "organization_id", count(*) FROM "encounters" WHERE "purpose" = 'clinical' GROUP BY "organization_id"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const event of ['inserted', 'updated', 'deleted', 'truncated']) {
      await queryRunner.query(`DROP TRIGGER "count_listed_encounters_${event}" ON "encounters"`);
    }
    await queryRunner.query(`DROP FUNCTION "count_listed_encounters"()`);
    await queryRunner.query(`DROP TABLE "listed_encounter_counts"`);
  }
}
