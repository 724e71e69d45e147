import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Disclosed } from '../audit/disclosure';
import { PhiAccessLog } from '../audit/phi-access-log';
import { markPhiAccessRecorded, phiAccessRecordOf } from '../audit/phi-access-request';
import { callerOf } from '../auth/caller';
import { ApiError } from '../common/api-error';
import type { ReplyGate } from '../common/json-express-adapter';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import type { PartnerRequest } from './partner-route.metadata';

/**
 * Durable before disclosure (docs/api.md "PHI access audit"): the body a partner handler
 * returns (`Disclosed`) is written only once the audit record of what it discloses is
 * committed. If the record cannot be written, the caller gets `503 service_unavailable`, never
 * the data.
 *
 * It is the reply gate of JsonExpressAdapter, where bodies are written, not an interceptor: a
 * Disclosed body reaches the client no other way, and a request pays for no Observable pipeline
 * (docs/PERFORMANCE.md, issue 23). Only a handler's success passes here. Any other answer to an
 * authenticated key (a guard's or the lookup's denial) is recorded by RequestObserver once it
 * is sent: it discloses nothing.
 */
@Injectable()
export class PhiDisclosureGate implements ReplyGate {
  constructor(private readonly audit: PhiAccessLog) {}

  heldBodyOf(result: unknown): object | undefined {
    return result instanceof Disclosed ? (result.body as object) : undefined;
  }

  async release(response: Response, disclosed: Disclosed<unknown>): Promise<void> {
    const request = response.req as PartnerRequest & IdentifiedRequest;
    if (request.partnerRoute === undefined)
      throw new Error(`${request.method} ${request.path} returned Disclosed without passing PartnerRouteGuard: only partner endpoints disclose.`);
    // Whatever happens next, this request's record is this one: no second record of it.
    markPhiAccessRecorded(response);
    const record = phiAccessRecordOf(request, callerOf(request), { routeId: request.partnerRoute, status: response.statusCode, reasonCode: null, disclosed: disclosed.items });
    try {
      await this.audit.append(record);
    } catch {
      // Logged and counted by PhiAccessLog.
      throw new ApiError('service_unavailable');
    }
  }
}
