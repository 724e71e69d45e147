import { InitialSchema1795526233614 } from './1795526233614-InitialSchema';
import { ListIndexOnClinicalEncounters1795531000000 } from './1795531000000-ListIndexOnClinicalEncounters';
import { ListedEncounterCounts1795540000000 } from './1795540000000-ListedEncounterCounts';
import { Recordings1795560000000 } from './1795560000000-Recordings';
import { WebhookEvents1795570000000 } from './1795570000000-WebhookEvents';
import { WebhookDispatch1795580000000 } from './1795580000000-WebhookDispatch';
import { PhiAccessAudit1795590000000 } from './1795590000000-PhiAccessAudit';
import { PhiAccessDisclosedLz41795600000000 } from './1795600000000-PhiAccessDisclosedLz4';
import { EncounterReadFunctions1795610000000 } from './1795610000000-EncounterReadFunctions';
import { AuditLeastPrivilege1795620000000 } from './1795620000000-AuditLeastPrivilege';
import { ApiKeyDigestSecretId1795630000000 } from './1795630000000-ApiKeyDigestSecretId';

/** Every migration, in order. Listed explicitly so `src/` and `dist/` load the same set. */
export const MIGRATIONS = [
  InitialSchema1795526233614,
  ListIndexOnClinicalEncounters1795531000000,
  ListedEncounterCounts1795540000000,
  Recordings1795560000000,
  WebhookEvents1795570000000,
  WebhookDispatch1795580000000,
  PhiAccessAudit1795590000000,
  PhiAccessDisclosedLz41795600000000,
  EncounterReadFunctions1795610000000,
  AuditLeastPrivilege1795620000000,
  ApiKeyDigestSecretId1795630000000,
];
