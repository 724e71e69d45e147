import type { Response } from 'express';
import type { Caller } from '../auth/caller';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import type { DisclosedItem } from './disclosure';
import { userAgentOf, type PhiAccessRecord } from './phi-access-record';

interface AuditedLocals {
  phiAccessRecorded?: true;
}

/** Marks the response as audited: the request's one record is written (or being written) by whoever marked it. */
export function markPhiAccessRecorded(response: Response): void {
  (response.locals as AuditedLocals).phiAccessRecorded = true;
}

export function isPhiAccessRecorded(response: Response): boolean {
  return (response.locals as AuditedLocals).phiAccessRecorded === true;
}

export interface AccessOutcome {
  routeId: string;
  status: number;
  reasonCode: string | null;
  disclosed: readonly DisclosedItem[];
}

/**
 * The audit record of a request by `caller`. The client address is Express's `request.ip`:
 * the peer's address, or the one `X-Forwarded-For` gives as far as `TRUST_PROXY` trusts it.
 */
export function phiAccessRecordOf(request: IdentifiedRequest, caller: Caller, outcome: AccessOutcome): PhiAccessRecord {
  return {
    occurredAt: new Date(),
    requestId: request.requestId,
    organizationId: caller.organizationId,
    keyId: caller.keyId,
    routeId: outcome.routeId,
    status: outcome.status,
    reasonCode: outcome.reasonCode,
    clientAddress: request.ip ?? null,
    userAgent: userAgentOf(request.headers['user-agent']),
    disclosed: outcome.disclosed,
  };
}
