import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/caller';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import { AccessLog } from './access-log';
import { RequestMetrics } from './request-metrics';
import { RouteLabels } from './route-labels';

/** A request as it is once served: identified (response-headers.middleware), maybe authenticated. */
export type ObservedRequest = IdentifiedRequest & AuthenticatedRequest;

/**
 * What the partner port tells operators about each request, once it is over: its access line
 * and its metrics. One listener and one clock per request for both.
 */
@Injectable()
export class RequestObserver {
  readonly middleware: RequestHandler;

  constructor(routes: RouteLabels, accessLog: AccessLog, metrics: RequestMetrics) {
    this.middleware = (request: Request, response: Response, next: NextFunction) => {
      const started = process.hrtime.bigint();
      // 'close' follows 'finish', and also comes alone when the client goes away first.
      response.once('close', () => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const route = routes.of(request);
        metrics.record(route, response.statusCode, durationMs / 1000);
        accessLog.write(request as ObservedRequest, response, route, durationMs);
      });
      next();
    };
  }
}
