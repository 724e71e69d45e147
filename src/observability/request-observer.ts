import { HttpStatus, Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PhiAccessLog } from '../audit/phi-access-log';
import type { PhiAccessRecord } from '../audit/phi-access-record';
import { isPhiAccessRecorded, phiAccessRecordOf } from '../audit/phi-access-request';
import type { AuthenticatedRequest } from '../auth/caller';
import { reasonCodeOf } from '../common/error-body.filter';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import { AccessLog } from './access-log';
import { RequestMetrics } from './request-metrics';
import { RouteLabels } from './route-labels';

/** A request as it is once served: identified (response-headers.middleware), maybe authenticated. */
export type ObservedRequest = IdentifiedRequest & AuthenticatedRequest;

/**
 * What the partner port tells operators about each request, once it is over: its access line,
 * its metrics, and the audit record of an answer to an authenticated key that
 * PhiDisclosureGate did not record before sending it. One listener and one clock per
 * request for all three.
 */
@Injectable()
export class RequestObserver {
  readonly middleware: RequestHandler;

  constructor(routes: RouteLabels, accessLog: AccessLog, metrics: RequestMetrics, audit: PhiAccessLog) {
    this.middleware = (request: Request, response: Response, next: NextFunction) => {
      const started = process.hrtime.bigint();
      // 'close' follows 'finish', and also comes alone when the client goes away first.
      response.once('close', () => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const route = routes.of(request);
        metrics.record(route, response.statusCode, durationMs / 1000);
        accessLog.write(request as ObservedRequest, response, route, durationMs);
        const denial = deniedAccessRecordOf(request as ObservedRequest, response, routes.partnerRouteOf(request));
        if (denial) audit.appendAfterResponse(denial);
      });
      next();
    };
  }
}

/**
 * The audit record of a partner route's answer to an authenticated key (docs/api.md "PHI access audit":
 * from check 2 on) sent without one: a denial, which disclosed nothing. None for a request that
 * failed authentication or was over its key's budget (429, the check right after
 * authentication): those go to logs and metrics.
 */
function deniedAccessRecordOf(request: ObservedRequest, response: Response, routeId: string | null): PhiAccessRecord | null {
  if (routeId === null || request.caller === undefined || isPhiAccessRecorded(response) || response.statusCode === Number(HttpStatus.TOO_MANY_REQUESTS)) return null;
  return phiAccessRecordOf(request, request.caller, { routeId, status: response.statusCode, reasonCode: reasonCodeOf(response), disclosed: [] });
}
