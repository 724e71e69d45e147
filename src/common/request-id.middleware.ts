import { Injectable, NestMiddleware } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's id is echoed only if it cannot smuggle anything into headers or logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Node's request, as middleware sees it (Fastify's request wraps it as `raw`). */
export interface RequestWithId extends IncomingMessage {
  requestId?: string;
}

/** The caller's `X-Request-Id` when sane, else a new id. */
export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : `req_${randomUUID()}`;
}

/** Gives every request an id (`requestIdFor`), echoed in the response. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(request: RequestWithId, response: ServerResponse, next: () => void): void {
    request.requestId = requestIdFor(request);
    response.setHeader('X-Request-Id', request.requestId);
    next();
  }
}
