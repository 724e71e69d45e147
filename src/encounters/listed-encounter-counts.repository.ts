import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { listedEncounter } from './listed-encounter';

/** An organization whose stored count was not its real number of listed encounters. */
export interface CorrectedCount {
  organizationId: string;
  /** What the list's `total` said (0 where the organization had no row). */
  stored: number;
  actual: number;
}

/** The real counts, of the encounters the list shows (the routines' and the triggers' filter). */
const ACTUAL_COUNTS = `SELECT e.organization_id, count(*)::int AS encounter_count FROM encounters e WHERE ${listedEncounter('e')} GROUP BY e.organization_id`;

/**
 * `listed_encounter_counts`, the per-organization total of the unwindowed list, which triggers
 * on encounters keep exact (`count_listed_encounters`, encounter-routines.ts). Rows written
 * with those triggers off (a bulk load, logical replication without ENABLE ALWAYS) are not
 * counted: `recount` puts it right.
 */
@Injectable()
export class ListedEncounterCountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Recomputes every organization's count in one transaction, and says which were wrong.
   * Writers of encounters wait until it commits, so no write falls between count and store;
   * readers do not.
   */
  recount(): Promise<{ organizations: number; corrected: CorrectedCount[] }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE encounters IN SHARE MODE');
      const corrected = await manager.query<{ organization_id: string; stored: number; actual: number }[]>(
        `SELECT organization_id, COALESCE(stored.encounter_count, 0) AS stored, COALESCE(actual.encounter_count, 0) AS actual
           FROM (${ACTUAL_COUNTS}) actual
           FULL JOIN listed_encounter_counts stored USING (organization_id)
          WHERE COALESCE(stored.encounter_count, 0) <> COALESCE(actual.encounter_count, 0)
          ORDER BY organization_id`,
      );
      await manager.query('DELETE FROM listed_encounter_counts');
      const inserted = await manager.query<{ organization_id: string }[]>(
        `INSERT INTO listed_encounter_counts (organization_id, encounter_count) ${ACTUAL_COUNTS} RETURNING organization_id`,
      );
      return {
        organizations: inserted.length,
        corrected: corrected.map((row) => ({ organizationId: row.organization_id, stored: row.stored, actual: row.actual })),
      };
    });
  }
}
