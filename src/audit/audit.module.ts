import { Module } from '@nestjs/common';
import { AuditPartitions } from './audit-partitions';
import { AuditRoleCheck } from './audit-role-check';
import { PhiAccessLog } from './phi-access-log';
import { PhiAccessQueries } from './phi-access-queries';

/**
 * The PHI access audit (docs/api.md "PHI access audit"): the append-only record of every
 * disclosure and denial to a partner key (PhiAccessLog), its monthly partitions
 * (AuditPartitions), a warning at start when the service could bypass its guards
 * (AuditRoleCheck), and what operators read of it (PhiAccessQueries). Who writes a record:
 * PhiDisclosureGate for a partner route's 2xx, before its body is sent; RequestObserver
 * for any other answer to an authenticated key; MediaController for a media fetch.
 */
@Module({
  providers: [PhiAccessLog, AuditPartitions, AuditRoleCheck, PhiAccessQueries],
  exports: [PhiAccessLog, PhiAccessQueries],
})
export class AuditModule {}
