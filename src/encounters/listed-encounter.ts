import type { EncounterPurpose } from './encounter-types';

/**
 * Which encounters partners see: the list, its counts, every encounter-scoped read and the
 * webhook events. Demo and training encounters exist in the same tables and are never shown
 * (reading one by id answers `demo_training_denied`).
 *
 * The one definition, `LISTED_ENCOUNTER_SQL`: a predicate over a row of `encounters` (or a
 * transition table of it), its column unqualified so that an index predicate can use it as it
 * is; `listedEncounter('e')` qualifies it. Every SQL statement, routine, trigger and index
 * predicate embeds it, the code asks `isListed`, and test/e2e/database-routines.e2e-spec.ts
 * fails if any object in the database filters encounters another way, or `isListed` disagrees.
 */
export const LISTED_ENCOUNTER_SQL = "purpose = 'clinical'";

export function listedEncounter(alias: string): string {
  return `${alias}.${LISTED_ENCOUNTER_SQL}`;
}

/** The predicate in code, held to `LISTED_ENCOUNTER_SQL` for every purpose by the routines test. */
export function isListed(purpose: EncounterPurpose): boolean {
  return purpose === 'clinical';
}
