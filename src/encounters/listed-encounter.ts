import type { EncounterPurpose } from './encounter-types';

/**
 * Which encounters partners see: the list, its counts, every encounter-scoped read and the
 * webhook events. Demo and training encounters exist in the same tables and are never shown
 * (reading one by id answers `demo_training_denied`).
 *
 * The one definition: the code asks `isListed`, every SQL statement, routine, trigger and index
 * predicate embeds `LISTED_ENCOUNTER_SQL`, and test/e2e/database-routines.e2e-spec.ts fails if
 * any object in the database filters encounters another way.
 */
const LISTED_PURPOSE = 'clinical' satisfies EncounterPurpose;

export function isListed(purpose: EncounterPurpose): boolean {
  return purpose === LISTED_PURPOSE;
}

/**
 * The predicate over a row of `encounters` (or a transition table of it), its column unqualified
 * so that an index predicate can use it as it is; `listedEncounter('e')` qualifies it.
 */
export const LISTED_ENCOUNTER_SQL = `purpose = '${LISTED_PURPOSE}'`;

export function listedEncounter(alias: string): string {
  return `${alias}.${LISTED_ENCOUNTER_SQL}`;
}
