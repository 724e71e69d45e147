/**
 * The database routines of the encounters module: the reads of the encounter routes and the
 * trigger that keeps the list's totals. This file is their one current definition: `db migrate`
 * (and a server with DB_MIGRATE_ON_START) replaces a deployed routine whenever its text here
 * changes (src/database/routine-installer.ts), so changing a read is an edit here, never a
 * migration. docs/development.md "Database routines" says why and how.
 *
 * The reads are PL/pgSQL functions so that PostgreSQL plans their statements once per
 * connection instead of on every request. TypeORM sends every statement unnamed, parsed and
 * planned each time, and planning cost more than running: about 0.4 ms of a list page's 1.1 ms
 * and 0.2 ms of a detail's 0.3 ms (docs/PERFORMANCE.md). A function's statements are prepared
 * on its first call in a session, and `force_generic_plan` keeps one plan for any values: the
 * plan test/e2e/hot-path.e2e-spec.ts checks, whatever the organization or offset. Unlike
 * prepared statements, this works behind a transaction-mode connection pooler.
 *
 * The functions are STABLE: every statement in one sees the snapshot of the call, so a list
 * page and its total are read from the same state of the data, as in one statement.
 *
 * Shared by the three: only listed encounters are ever shown (`listed-encounter.ts`), and
 * every read is scoped by the caller's organization ($1); an encounter's view is its columns,
 * its patient's, and its documents' summaries aggregated as JSON in (created_at, document_id)
 * order, so that a page with everything it embeds is one round trip; `date_of_birth` is text,
 * as a DATE parsed into a JS Date would shift with the time zone, and timestamps are text as
 * the API writes them (`apiTimestampSql`), which costs Node no Date per timestamp.
 */
import { apiTimestampSql } from '../common/api-timestamp';
import type { DatabaseRoutine } from '../common/database-routine';
import { DOCUMENT_PAYLOADS, DOCUMENT_SUMMARY_FIELDS } from './encounter-queries';
import { LISTED_ENCOUNTER_SQL, listedEncounter } from './listed-encounter';

/**
 * The view columns of an encounter `e` and its patient `p`, its timestamps as stored: a list
 * page is ordered by them. The routines return them through `viewOf`.
 */
const VIEW_COLUMNS = `e.encounter_id, e.organization_id, e.encounter_type, e.status,
  e.created_at, e.updated_at, e.date_of_service,
  p.patient_id, p.first_name, p.last_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  COALESCE((
    SELECT json_agg(json_build_object(${DOCUMENT_SUMMARY_FIELDS.map((field) => `'${field}', d.${field}`).join(', ')}) ORDER BY d.created_at, d.document_id)
    FROM documents d WHERE d.encounter_id = e.encounter_id
  ), '[]'::json) AS documents`;

/** The columns of VIEW_COLUMNS read as `view`, as the routines return them: timestamps as the API writes them. */
function viewOf(view: string): string {
  return `${view}.encounter_id, ${view}.organization_id, ${view}.encounter_type, ${view}.status,
    ${apiTimestampSql(`${view}.created_at`)}, ${apiTimestampSql(`${view}.updated_at`)}, ${apiTimestampSql(`${view}.date_of_service`)},
    ${view}.patient_id, ${view}.first_name, ${view}.last_name, ${view}.date_of_birth, ${view}.documents`;
}

/** The result columns of `viewOf`, as a function declares them. */
const VIEW_RESULT_COLUMNS = `encounter_id text, organization_id text, encounter_type text, status text,
  created_at text, updated_at text, date_of_service text,
  patient_id text, first_name text, last_name text, date_of_birth text, documents json`;

/**
 * The list's filters over encounters `e`: $1 the organization; in a window, $4 and $5 its
 * bounds (either null). Written with the positional parameters of `encounter_list_page` so that
 * the plan tests can prepare these statements as they are (test/e2e/hot-path.e2e-spec.ts). The
 * whole list has statements of its own: bounds of ±infinity would cost a comparison per index
 * entry walked, 10,000 of them for a page at offset 10,000.
 */
const LISTED_IN_ORGANIZATION = `e.organization_id = $1 AND ${listedEncounter('e')}`;
const LISTED_IN_WINDOW = `${LISTED_IN_ORGANIZATION}
  AND e.created_at >= COALESCE($4, '-infinity'::timestamptz) AND e.created_at < COALESCE($5, 'infinity'::timestamptz)`;

/** A window's total, counted over the list index. */
export const LIST_WINDOW_COUNT = `SELECT count(*)::integer FROM encounters e WHERE ${LISTED_IN_WINDOW}`;

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

export const LIST_PAGE = {
  whole: { asc: listPage(LISTED_IN_ORGANIZATION, 'ASC'), desc: listPage(LISTED_IN_ORGANIZATION, 'DESC') },
  window: { asc: listPage(LISTED_IN_WINDOW, 'ASC'), desc: listPage(LISTED_IN_WINDOW, 'DESC') },
};

/**
 * One page in (created_at, encounter_id) order, and the total of the same filter. Without a
 * time window the total is the organization's listed-encounter count (kept by the trigger
 * below). A page past the end is one row: the total, every other column null.
 */
const ENCOUNTER_LIST_PAGE: DatabaseRoutine = {
  name: 'encounter_list_page',
  definition: `CREATE OR REPLACE FUNCTION "encounter_list_page"(
      organization text, page_limit integer, page_offset integer, created_from timestamptz, created_before timestamptz, ascending boolean)
    RETURNS TABLE (total integer, ${VIEW_RESULT_COLUMNS})
    LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
    DECLARE
      listed integer;
    BEGIN
      IF created_from IS NULL AND created_before IS NULL THEN
        listed := COALESCE((SELECT c.encounter_count FROM listed_encounter_counts c WHERE c.organization_id = $1), 0);
        IF ascending THEN
          RETURN QUERY SELECT listed, ${viewOf('page')} FROM (${LIST_PAGE.whole.asc}) page ORDER BY page.created_at, page.encounter_id;
        ELSE
          RETURN QUERY SELECT listed, ${viewOf('page')} FROM (${LIST_PAGE.whole.desc}) page ORDER BY page.created_at DESC, page.encounter_id DESC;
        END IF;
      ELSE
        listed := (${LIST_WINDOW_COUNT});
        IF ascending THEN
          RETURN QUERY SELECT listed, ${viewOf('page')} FROM (${LIST_PAGE.window.asc}) page ORDER BY page.created_at, page.encounter_id;
        ELSE
          RETURN QUERY SELECT listed, ${viewOf('page')} FROM (${LIST_PAGE.window.desc}) page ORDER BY page.created_at DESC, page.encounter_id DESC;
        END IF;
      END IF;
      IF NOT FOUND THEN
        total := listed;
        RETURN NEXT;
      END IF;
    END $$`,
};

/**
 * One row for any existing encounter: whether it is the caller organization's, its purpose,
 * and its view only if the caller may read it (else null): "not found", "another
 * organization's" and "demo or training" are told apart without reading more of it.
 */
const ENCOUNTER_VIEW: DatabaseRoutine = {
  name: 'encounter_view',
  definition: `CREATE OR REPLACE FUNCTION "encounter_view"(organization text, encounter text)
    RETURNS TABLE (in_caller_organization boolean, purpose text, ${VIEW_RESULT_COLUMNS})
    LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
    BEGIN
      RETURN QUERY SELECT e.organization_id = $1, e.purpose, ${viewOf('view')}
        FROM encounters e
        LEFT JOIN LATERAL (
          SELECT ${VIEW_COLUMNS} FROM patients p
          WHERE p.patient_id = e.patient_id AND e.organization_id = $1 AND ${listedEncounter('e')}
        ) view ON true
        WHERE e.encounter_id = $2;
    END $$`,
};

/**
 * The encounter's access facts, and the document with the one payload the route needs
 * (`DOCUMENT_PAYLOADS`, or null: the other is not read), or null columns when the encounter has
 * no such document or the caller may not read the encounter. A payload it does not know is an
 * error, not a document without one.
 */
const ENCOUNTER_DOCUMENT: DatabaseRoutine = {
  name: 'encounter_document',
  definition: `CREATE OR REPLACE FUNCTION "encounter_document"(organization text, encounter text, document text, payload text)
    RETURNS TABLE (in_caller_organization boolean, purpose text, document_id text, encounter_id text, patient_id text,
      schema_type text, title text, status text, workflow_variant text, audio_duration_seconds double precision,
      created_at text, updated_at text, ${DOCUMENT_PAYLOADS.map((column) => `${column} jsonb`).join(', ')})
    LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
    BEGIN
      IF $4 NOT IN (${DOCUMENT_PAYLOADS.map((column) => `'${column}'`).join(', ')}) THEN
        RAISE EXCEPTION 'encounter_document: unknown payload %', $4 USING ERRCODE = 'invalid_parameter_value';
      END IF;
      RETURN QUERY SELECT e.organization_id = $1, e.purpose,
          d.document_id, d.encounter_id, e.patient_id, d.schema_type, d.title, d.status, d.workflow_variant,
          d.audio_duration_seconds, ${apiTimestampSql('d.created_at')}, ${apiTimestampSql('d.updated_at')},
          ${DOCUMENT_PAYLOADS.map((column) => `CASE WHEN $4 = '${column}' THEN d.${column} END`).join(', ')}
        FROM encounters e
        LEFT JOIN documents d
          ON d.encounter_id = e.encounter_id AND d.document_id = $3 AND e.organization_id = $1 AND ${listedEncounter('e')}
        WHERE e.encounter_id = $2;
    END $$`,
};

/** `LISTED_ENCOUNTER_SQL` inside a string literal of the trigger's dynamic SQL. */
const LISTED_IN_LITERAL = LISTED_ENCOUNTER_SQL.replaceAll("'", "''");

/**
 * The body of the statement-level triggers on encounters that keep `listed_encounter_counts`,
 * the list's total without a window (migration ListedEncounterCounts made the table and attached
 * the triggers). Each statement's net change is added per organization, once per statement
 * however many rows it wrote. Rows are upserted in organization order so that two statements
 * touching the same organizations cannot deadlock. A count below zero means some write escaped
 * the triggers (disabled triggers, or rows replicated in with session_replication_role =
 * replica): that write fails instead. It is checked here, not by a CHECK constraint, which
 * PostgreSQL would apply to the proposed row (a negative change) before resolving the conflict.
 * Dynamic SQL because each event has its own transition tables.
 */
const COUNT_LISTED_ENCOUNTERS: DatabaseRoutine = {
  name: 'count_listed_encounters',
  definition: `CREATE OR REPLACE FUNCTION "count_listed_encounters"() RETURNS trigger LANGUAGE plpgsql AS $$
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
          WHEN 'INSERT' THEN 'SELECT organization_id, 1 AS change FROM new_encounters WHERE ${LISTED_IN_LITERAL}'
          WHEN 'DELETE' THEN 'SELECT organization_id, -1 AS change FROM old_encounters WHERE ${LISTED_IN_LITERAL}'
          ELSE 'SELECT organization_id, 1 AS change FROM new_encounters WHERE ${LISTED_IN_LITERAL}
                UNION ALL SELECT organization_id, -1 FROM old_encounters WHERE ${LISTED_IN_LITERAL}'
        END) INTO lowest;
      IF lowest < 0 THEN
        RAISE EXCEPTION 'listed_encounter_counts would go below zero: a write to encounters escaped its triggers';
      END IF;
      RETURN NULL;
    END $$`,
};

export const ENCOUNTER_ROUTINES: readonly DatabaseRoutine[] = [ENCOUNTER_LIST_PAGE, ENCOUNTER_VIEW, ENCOUNTER_DOCUMENT, COUNT_LISTED_ENCOUNTERS];
