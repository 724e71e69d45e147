import { ApiError } from '../common/api-error';
import type { ReasonCode } from '../common/reason-codes';
import type { EncounterPurpose } from './encounter-types';
import { isListed } from './listed-encounter';

/** What every encounter-scoped route learns about the encounter before anything else. */
export interface EncounterAccessRow {
  in_caller_organization: boolean;
  purpose: EncounterPurpose;
}

/** What `assertEncounterReadable` can answer. */
export const ENCOUNTER_LOOKUP_ERRORS = ['encounter_not_found', 'cross_organization_denied', 'demo_training_denied'] as const satisfies ReasonCode[];

/**
 * The resource-lookup rule shared by detail, document, transcript and audio:
 * unknown → 404, another organization's → 403, a demo or training one → 403.
 */
export function assertEncounterReadable(row: EncounterAccessRow | undefined): asserts row is EncounterAccessRow {
  if (row === undefined) throw new ApiError('encounter_not_found');
  if (!row.in_caller_organization) throw new ApiError('cross_organization_denied');
  if (!isListed(row.purpose)) throw new ApiError('demo_training_denied');
}
