import { Inject, Injectable } from '@nestjs/common';
import type { RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pino from 'pino';
import { pinoHttp } from 'pino-http';
import type { AuthenticatedRequest } from '../auth/caller';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import { reasonCodeOf } from '../common/error-body.filter';
import { ROOT_LOGGER } from '../logging/logging.module';
import { RouteLabels } from './route-labels';

type ObservedRequest = IdentifiedRequest & AuthenticatedRequest;

/**
 * One line per request, once its response is sent (or the client went away), with exactly
 * these fields besides `request_id` (the binding of the request's logger): no header, no query string, no path (it carries ids and whatever a caller
 * typed), no body. `organization_id` and `key_id` are those of a key that authenticated.
 */
export interface AccessLine {
  method: string;
  route: string;
  status: number;
  reason_code: string | null;
  duration_ms: number;
  organization_id: string | null;
  key_id: string | null;
  /** Present, true, when the client closed the connection before the response was complete. */
  aborted?: true;
}

/** The access log, on pino-http. */
@Injectable()
export class AccessLog {
  readonly middleware: RequestHandler;

  constructor(@Inject(ROOT_LOGGER) root: pino.Logger, routes: RouteLabels) {
    const line = (request: IncomingMessage, response: ServerResponse, durationMs: number): AccessLine => {
      const observed = request as ObservedRequest;
      return {
        method: observed.method,
        route: routes.of(observed),
        status: response.statusCode,
        reason_code: reasonCodeOf(response as Response),
        duration_ms: durationMs,
        organization_id: observed.caller?.organizationId ?? null,
        key_id: observed.caller?.keyId ?? null,
        ...(!response.writableFinished && { aborted: true as const }),
      };
    };
    this.middleware = pinoHttp({
      logger: root,
      genReqId: (request) => (request as ObservedRequest).requestId,
      // The request's logger (`request.log`) carries its id and nothing else of it.
      quietReqLogger: true,
      quietResLogger: true,
      customAttributeKeys: { reqId: 'request_id' },
      // A 500 is a bug. A 503 is expected while the database is away, and each request of an
      // outage is no news: the one sampled warning of ErrorBodyFilter says it.
      customLogLevel: (_request, response) => (response.statusCode >= 500 && response.statusCode !== 503 ? 'error' : 'info'),
      customSuccessObject: (request, response, fields: { responseTime: number }) => line(request, response, fields.responseTime),
      customErrorObject: (request, response, _error, fields: { responseTime: number }) => line(request, response, fields.responseTime),
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
    });
  }
}
