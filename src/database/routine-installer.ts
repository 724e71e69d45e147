import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { DatabaseRoutine } from '../common/database-routine';

/** Which definition a deployed routine was created from: its comment, `charthero-routine <version>`. */
const VERSION_MARK = 'charthero-routine ';

/** A definition's version: a digest of its text, so that any edit is a new version. */
export function routineVersion(routine: DatabaseRoutine): string {
  return createHash('sha256').update(routine.definition).digest('hex').slice(0, 16);
}

/** The deployed routines' versions, by name (the schema the connection works in). */
export const DEPLOYED_ROUTINES_QUERY = `SELECT p.proname AS name, p.prorettype = 'trigger'::regtype AS is_trigger, obj_description(p.oid, 'pg_proc') AS comment
  FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace`;

export interface DeployedRoutineRow {
  name: string;
  is_trigger: boolean;
  comment: string | null;
}

/** The routines whose deployed version is not their definition's (or that are not deployed). */
export function outdatedRoutines(routines: readonly DatabaseRoutine[], deployed: readonly DeployedRoutineRow[]): DatabaseRoutine[] {
  const versions = new Map(deployed.map((row) => [row.name, row.comment]));
  return routines.filter((routine) => versions.get(routine.name) !== VERSION_MARK + routineVersion(routine));
}

/**
 * Brings every routine to its definition, in one transaction, and returns the names replaced.
 * Instances starting together serialize on an advisory lock and the later ones find nothing to
 * do. A trigger's function is replaced in place, so its triggers stay attached; any other is
 * dropped and created, because a changed definition may return other columns, which `CREATE OR
 * REPLACE` refuses (nothing but the code depends on those: no view, no other routine), and
 * given back the EXECUTE grants it had.
 */
export function installRoutines(dataSource: DataSource, routines: readonly DatabaseRoutine[]): Promise<string[]> {
  return dataSource.transaction(async (manager: EntityManager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('charthero_database_routines'))`);
    const deployed = await manager.query<DeployedRoutineRow[]>(DEPLOYED_ROUTINES_QUERY);
    const outdated = outdatedRoutines(routines, deployed);
    for (const routine of outdated) {
      const current = deployed.find((row) => row.name === routine.name);
      if (current && !current.is_trigger) {
        const grantees = await executeGrantees(manager, routine.name);
        await manager.query(`DROP FUNCTION "${routine.name}"`);
        await manager.query(routine.definition);
        await restoreExecuteGrants(manager, routine.name, grantees);
      } else {
        await manager.query(routine.definition);
      }
      await manager.query(`COMMENT ON FUNCTION "${routine.name}" IS '${VERSION_MARK}${routineVersion(routine)}'`);
    }
    return outdated.map((routine) => routine.name);
  });
}

/**
 * Who may execute a deployed function, when its privileges are not PostgreSQL's default (the
 * owner and PUBLIC): an operator who revoked PUBLIC's and granted the service's role keeps that
 * across a replacement. Null: the default.
 */
async function executeGrantees(manager: EntityManager, name: string): Promise<string[] | null> {
  const [row] = await manager.query<{ grantees: string[] | null }[]>(
    `SELECT CASE WHEN p.proacl IS NULL THEN NULL ELSE ARRAY(
         SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END
         FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE') END AS grantees
       FROM pg_proc p WHERE p.proname = $1 AND p.pronamespace = current_schema()::regnamespace`,
    [name],
  );
  return row.grantees;
}

async function restoreExecuteGrants(manager: EntityManager, name: string, grantees: string[] | null): Promise<void> {
  if (grantees === null) return;
  await manager.query(`REVOKE ALL ON FUNCTION "${name}" FROM PUBLIC`);
  for (const grantee of grantees) await manager.query(`GRANT EXECUTE ON FUNCTION "${name}" TO ${grantee}`);
}
