import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type pino from 'pino';
import { reasonCodeOf } from '../common/error-body.filter';
import { ROOT_LOGGER } from '../logging/logging.module';
import type { ObservedRequest } from './request-observer';

/**
 * One line per request, once its response is sent (or the client went away), with exactly
 * these fields: no header, no query string, no path (it carries ids and whatever a caller
 * typed), no body. `organization_id` and `key_id` are those of a key that authenticated.
 */
export interface AccessLine {
  request_id: string;
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

/**
 * Writes the access line of each request through the root logger, as one call: no logger per
 * request (pino-http makes a child logger for each, measured at 0.13 ms of CPU a request with
 * everything it does, docs/PERFORMANCE.md).
 */
@Injectable()
export class AccessLog {
  constructor(@Inject(ROOT_LOGGER) private readonly root: pino.Logger) {}

  write(request: ObservedRequest, response: Response, route: string, durationMs: number): void {
    // A 500 is a bug. A 503 is expected while the database is away, and each request of an
    // outage is no news: the one sampled warning of ErrorBodyFilter says it.
    const failed = response.statusCode >= 500 && response.statusCode !== 503;
    const level = failed ? 'error' : 'info';
    if (!this.root.isLevelEnabled(level)) return;
    const line: AccessLine = {
      request_id: request.requestId,
      method: request.method,
      route,
      status: response.statusCode,
      reason_code: reasonCodeOf(response),
      duration_ms: Math.round(durationMs * 10) / 10,
      organization_id: request.caller?.organizationId ?? null,
      key_id: request.caller?.keyId ?? null,
      ...(!response.writableFinished && { aborted: true as const }),
    };
    this.root[level](line, failed ? 'request failed' : 'request completed');
  }
}
