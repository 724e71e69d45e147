/**
 * A function the database runs for the code (a read, a trigger's body) whose current definition
 * lives with the code that calls it, not in migration history: a migration changes data and
 * tables once, a routine is replaced whenever its definition changes (Flyway calls these
 * "repeatable migrations"). Tables, indexes and the triggers that attach a routine stay in
 * migrations. A module defines its routines; `migrateSchema` (src/database/) installs them all.
 */
export interface DatabaseRoutine {
  /** The function's name, unique in the schema (routines are never overloaded). */
  name: string;
  /** The whole `CREATE OR REPLACE FUNCTION "name"(…) … AS $$ … $$` statement. */
  definition: string;
}
