import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import { Disclosed } from '../audit/disclosure';
import { PhiAccessLog } from '../audit/phi-access-log';
import { markPhiAccessRecorded, phiAccessRecordOf } from '../audit/phi-access-request';
import { AuthenticatedRequest, callerOf } from '../auth/caller';
import { ApiError } from '../common/api-error';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import { partnerRouteOf } from './partner-route.metadata';

/**
 * Durable before disclosure (docs/api.md "PHI access audit"): a partner handler's body is
 * sent only once the audit record of what it discloses is committed. If the record cannot be
 * written, the caller gets `503 service_unavailable`, never the data.
 *
 * Only a handler's success passes here. Any other answer to an authenticated key (a guard's
 * or the lookup's denial) is recorded by RequestObserver once it is sent: it discloses nothing.
 */
@Injectable()
export class PhiAccessInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: PhiAccessLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IdentifiedRequest & AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const routeId = partnerRouteOf(this.reflector, context);
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        if (!(result instanceof Disclosed)) throw new Error(`The handler of ${routeId} must return Disclosed: what it discloses is audited before it is sent.`);
        // Whatever happens next, this request's record is this one: no second record of it.
        markPhiAccessRecorded(response);
        const record = phiAccessRecordOf(request, callerOf(request), { routeId, status: response.statusCode, reasonCode: null, disclosed: result.items });
        try {
          await this.audit.append(record);
        } catch {
          // Logged and counted by PhiAccessLog.
          throw new ApiError('service_unavailable');
        }
        return result.body as unknown;
      }),
    );
  }
}
