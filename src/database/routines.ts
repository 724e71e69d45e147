import { ENCOUNTER_ROUTINES } from '../encounters/encounter-routines';
import { WEBHOOK_ROUTINES } from '../webhooks/webhook-routines';
import type { DatabaseRoutine } from '../common/database-routine';

/** Every database routine, each defined by its module (as `ENTITIES` lists their entities). */
export const ROUTINES: readonly DatabaseRoutine[] = [...ENCOUNTER_ROUTINES, ...WEBHOOK_ROUTINES];
