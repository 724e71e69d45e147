import type { DataSource, EntityManager } from 'typeorm';
import { InvalidInputError } from '../common/invalid-input.error';
import { ROUTINES } from './routines';

const READ_WRITE = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
type TablePrivilege = (typeof READ_WRITE)[number];

/**
 * What the running service (and every CLI command but `db migrate` and `fixtures load --reset`)
 * does to each table of its schema: the privileges `db grant` gives, and no other. A migration
 * that adds a table adds it here; test/e2e/service-role.e2e-spec.ts fails until it has.
 */
export const SERVICE_TABLE_PRIVILEGES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  organizations: READ_WRITE,
  partners: READ_WRITE,
  api_keys: READ_WRITE,
  patients: READ_WRITE,
  encounters: READ_WRITE,
  documents: READ_WRITE,
  listed_encounter_counts: READ_WRITE,
  recordings: READ_WRITE,
  webhook_endpoints: READ_WRITE,
  webhook_events: READ_WRITE,
  webhook_deliveries: READ_WRITE,
  webhook_delivery_attempts: READ_WRITE,
  // Append-only: read and added to, through the parent (its monthly partitions get nothing).
  phi_access_records: ['SELECT', 'INSERT'],
  // Readiness and the start compare it with the code's migrations.
  migrations: ['SELECT'],
};

/**
 * Functions the service calls besides its routines: the audit's partitions are created with
 * their owner's rights (migration AuditLeastPrivilege), by the roles granted here only.
 */
const SERVICE_FUNCTIONS = ['ensure_phi_access_partitions'];

export interface ServiceRoleGrant {
  role: string;
  schema: string;
  tables: number;
  sequences: number;
  functions: number;
}

/**
 * `db grant ROLE`: gives `role` exactly what the service needs in the current schema, after
 * taking away whatever it had there (so the grant is exact, and running it again changes
 * nothing): SERVICE_TABLE_PRIVILEGES, USAGE on the sequences of the tables it inserts into,
 * EXECUTE on the routines, and USAGE on the schema, without which no object in it can be named;
 * never CREATE. Refuses a role that does not exist, a superuser, and the owner of the audit
 * (each would keep powers no grant takes away). One transaction: a refusal changes nothing.
 */
export async function grantServiceRole(dataSource: DataSource, role: string): Promise<ServiceRoleGrant> {
  return dataSource.transaction(async (manager) => {
    await refuseUnfitRole(manager, role);
    const [{ schema }] = await manager.query<{ schema: string }[]>('SELECT current_schema() AS schema');
    const grantee = quoteIdentifier(role);
    const inSchema = quoteIdentifier(schema);
    await manager.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${inSchema} FROM ${grantee}`);
    await manager.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${inSchema} FROM ${grantee}`);
    await manager.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${inSchema} FROM ${grantee}`);
    await manager.query(`REVOKE ALL ON SCHEMA ${inSchema} FROM ${grantee}`);
    await manager.query(`GRANT USAGE ON SCHEMA ${inSchema} TO ${grantee}`);

    for (const [table, privileges] of Object.entries(SERVICE_TABLE_PRIVILEGES)) {
      await manager.query(`GRANT ${privileges.join(', ')} ON TABLE ${quoteIdentifier(table)} TO ${grantee}`);
    }
    const inserted = Object.entries(SERVICE_TABLE_PRIVILEGES)
      .filter(([, privileges]) => privileges.includes('INSERT'))
      .map(([table]) => table);
    const sequences = await manager.query<{ sequence: string }[]>(
      `SELECT DISTINCT s.oid::regclass::text AS sequence
         FROM pg_class s JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
        WHERE s.relkind = 'S' AND d.refobjid = ANY (SELECT to_regclass(quote_ident(name)) FROM unnest($1::text[]) AS name)`,
      [inserted],
    );
    for (const { sequence } of sequences) await manager.query(`GRANT USAGE ON SEQUENCE ${sequence} TO ${grantee}`);
    const functions = [...ROUTINES.map((routine) => routine.name), ...SERVICE_FUNCTIONS];
    for (const name of functions) await manager.query(`GRANT EXECUTE ON FUNCTION ${quoteIdentifier(name)} TO ${grantee}`);
    return { role, schema, tables: Object.keys(SERVICE_TABLE_PRIVILEGES).length, sequences: sequences.length, functions: functions.length };
  });
}

async function refuseUnfitRole(manager: EntityManager, role: string): Promise<void> {
  const [found] = await manager.query<{ superuser: boolean; owns_audit: boolean }[]>(
    `SELECT r.rolsuper AS superuser, pg_has_role(r.oid, c.relowner, 'USAGE') AS owns_audit
       FROM pg_roles r, pg_class c WHERE r.rolname = $1 AND c.oid = 'phi_access_records'::regclass`,
    [role],
  );
  if (found === undefined) throw new InvalidInputError(`role ${quoteIdentifier(role)} does not exist: create it first (CREATE ROLE … LOGIN PASSWORD …), then grant it.`);
  if (found.superuser) throw new InvalidInputError(`role ${quoteIdentifier(role)} is a superuser: no grant can limit it. Serve as a role of its own.`);
  if (found.owns_audit)
    throw new InvalidInputError(
      `role ${quoteIdentifier(role)} owns the schema's tables (or is a member of their owner): it could alter or empty the audit whatever it is granted. Serve as a role of its own.`,
    );
}

/** A role, schema, table or function name as a SQL identifier, whatever characters it has. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
