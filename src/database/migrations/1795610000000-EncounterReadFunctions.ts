import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reads of the encounter routes as PL/pgSQL functions, so that PostgreSQL plans their
 * statements once per connection instead of on every request. TypeORM sends every statement
 * unnamed, parsed and planned each time, and planning cost more than running: about 0.4 ms of
 * a list page's 1.1 ms and 0.2 ms of a detail's 0.3 ms (docs/PERFORMANCE.md). A function's
 * statements are prepared on its first call in a session, and `force_generic_plan` keeps one
 * plan for any values: the plan test/e2e/hot-path.e2e-spec.ts checks, whatever the
 * organization or offset.
 *
 * The functions are STABLE: every statement in one sees the snapshot of the call, so a list
 * page and its total are read from the same state of the data, as in one statement.
 *
 * History, as every migration: the current definitions are in src/encounters/encounter-routines.ts,
 * and `migrateSchema` replaces these right after the migrations run. Never edit or import this
 * file to change a read.
 *
 * Shared by the three: only clinical encounters are ever shown (purpose = 'clinical'), and
 * every read is scoped by the caller's organization ($1); an encounter's view is its columns,
 * its patient's, and its documents' summaries aggregated as JSON in (created_at, document_id)
 * order, so that a page with everything it embeds is one round trip; `date_of_birth` is text,
 * as a DATE parsed into a JS Date would shift with the time zone.
 */
export class EncounterReadFunctions1795610000000 implements MigrationInterface {
  name = 'EncounterReadFunctions1795610000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // One page in (created_at, encounter_id) order, and the total of the same filter. Without a
    // time window the total is the organization's listed-encounter count (kept by triggers).
    // A page past the end is one row: the total, every other column null.
    await queryRunner.query(`CREATE FUNCTION "encounter_list_page"(
        organization text, page_limit integer, page_offset integer, created_from timestamptz, created_before timestamptz, ascending boolean)
      RETURNS TABLE (total integer, encounter_id text, organization_id text, encounter_type text, status text,
        created_at timestamptz, updated_at timestamptz, date_of_service timestamptz,
        patient_id text, first_name text, last_name text, date_of_birth text, documents json)
      LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
      DECLARE
        listed integer;
      BEGIN
        IF created_from IS NULL AND created_before IS NULL THEN
          listed := COALESCE((SELECT c.encounter_count FROM listed_encounter_counts c WHERE c.organization_id = $1), 0);
          IF ascending THEN
            RETURN QUERY SELECT listed, page.* FROM (${LIST_PAGE.whole.asc}) page ORDER BY page.created_at, page.encounter_id;
          ELSE
            RETURN QUERY SELECT listed, page.* FROM (${LIST_PAGE.whole.desc}) page ORDER BY page.created_at DESC, page.encounter_id DESC;
          END IF;
        ELSE
          listed := (${LIST_WINDOW_COUNT});
          IF ascending THEN
            RETURN QUERY SELECT listed, page.* FROM (${LIST_PAGE.window.asc}) page ORDER BY page.created_at, page.encounter_id;
          ELSE
            RETURN QUERY SELECT listed, page.* FROM (${LIST_PAGE.window.desc}) page ORDER BY page.created_at DESC, page.encounter_id DESC;
          END IF;
        END IF;
        IF NOT FOUND THEN
          total := listed;
          RETURN NEXT;
        END IF;
      END $$`);

    // One row for any existing encounter: whether it is the caller organization's, its purpose,
    // and its view only if the caller may read it (else null): "not found", "another
    // organization's" and "demo or training" are told apart without reading more of it.
    await queryRunner.query(`CREATE FUNCTION "encounter_view"(organization text, encounter text)
      RETURNS TABLE (in_caller_organization boolean, purpose text, encounter_id text, organization_id text, encounter_type text, status text,
        created_at timestamptz, updated_at timestamptz, date_of_service timestamptz,
        patient_id text, first_name text, last_name text, date_of_birth text, documents json)
      LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
      BEGIN
        RETURN QUERY SELECT e.organization_id = $1, e.purpose, view.*
          FROM encounters e
          LEFT JOIN LATERAL (
            SELECT ${VIEW_COLUMNS} FROM patients p
            WHERE p.patient_id = e.patient_id AND e.organization_id = $1 AND e.purpose = 'clinical'
          ) view ON true
          WHERE e.encounter_id = $2;
      END $$`);

    // The encounter's access facts, and the document with the one payload the route needs
    // ('content', 'transcript' or null: the other is not read), or null columns when the
    // encounter has no such document or the caller may not read the encounter.
    await queryRunner.query(`CREATE FUNCTION "encounter_document"(organization text, encounter text, document text, payload text)
      RETURNS TABLE (in_caller_organization boolean, purpose text, document_id text, encounter_id text, patient_id text,
        schema_type text, title text, status text, workflow_variant text, audio_duration_seconds double precision,
        created_at timestamptz, updated_at timestamptz, content jsonb, transcript jsonb)
      LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
      BEGIN
        RETURN QUERY SELECT e.organization_id = $1, e.purpose,
            d.document_id, d.encounter_id, e.patient_id, d.schema_type, d.title, d.status, d.workflow_variant,
            d.audio_duration_seconds, d.created_at, d.updated_at,
            CASE WHEN $4 = 'content' THEN d.content END, CASE WHEN $4 = 'transcript' THEN d.transcript END
          FROM encounters e
          LEFT JOIN documents d
            ON d.encounter_id = e.encounter_id AND d.document_id = $3 AND e.organization_id = $1 AND e.purpose = 'clinical'
          WHERE e.encounter_id = $2;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "encounter_document"(text, text, text, text)`);
    await queryRunner.query(`DROP FUNCTION "encounter_view"(text, text)`);
    await queryRunner.query(`DROP FUNCTION "encounter_list_page"(text, integer, integer, timestamptz, timestamptz, boolean)`);
  }
}

/** The view columns of an encounter `e` and its patient `p`. */
const VIEW_COLUMNS = `e.encounter_id, e.organization_id, e.encounter_type, e.status,
  e.created_at, e.updated_at, e.date_of_service,
  p.patient_id, p.first_name, p.last_name, to_char(p.date_of_birth, 'YYYY-MM-DD'),
  COALESCE((
    SELECT json_agg(json_build_object(
      'document_id', d.document_id, 'schema_type', d.schema_type, 'title', d.title,
      'status', d.status, 'workflow_variant', d.workflow_variant,
      'audio_duration_seconds', d.audio_duration_seconds
    ) ORDER BY d.created_at, d.document_id)
    FROM documents d WHERE d.encounter_id = e.encounter_id
  ), '[]'::json)`;

/**
 * The list's filters over encounters `e`: $1 the organization; in a window, $4 and $5 its
 * bounds (either null). Written with the positional parameters of `encounter_list_page` so that
 * the plan tests can prepare these statements as they are (test/e2e/hot-path.e2e-spec.ts). The
 * whole list has statements of its own: bounds of ±infinity would cost a comparison per index
 * entry walked, 10,000 of them for a page at offset 10,000.
 */
const LISTED_IN_ORGANIZATION = `e.organization_id = $1 AND e.purpose = 'clinical'`;
const LISTED_IN_WINDOW = `${LISTED_IN_ORGANIZATION}
  AND e.created_at >= COALESCE($4, '-infinity'::timestamptz) AND e.created_at < COALESCE($5, 'infinity'::timestamptz)`;

/** A window's total, counted over the list index. */
const LIST_WINDOW_COUNT = `SELECT count(*)::integer FROM encounters e WHERE ${LISTED_IN_WINDOW}`;

/**
 * A page ($2 rows from $3): its ids from the list index alone (an index-only scan, however
 * deep the offset), then only those encounters are read and joined.
 */
function listPage(filter: string, direction: 'ASC' | 'DESC'): string {
  return `SELECT ${VIEW_COLUMNS}
    FROM (
      SELECT e.encounter_id FROM encounters e WHERE ${filter}
      ORDER BY e.created_at ${direction}, e.encounter_id ${direction} LIMIT $2 OFFSET $3
    ) page_ids
    JOIN encounters e ON e.encounter_id = page_ids.encounter_id
    JOIN patients p ON p.patient_id = e.patient_id`;
}

const LIST_PAGE = {
  whole: { asc: listPage(LISTED_IN_ORGANIZATION, 'ASC'), desc: listPage(LISTED_IN_ORGANIZATION, 'DESC') },
  window: { asc: listPage(LISTED_IN_WINDOW, 'ASC'), desc: listPage(LISTED_IN_WINDOW, 'DESC') },
};
