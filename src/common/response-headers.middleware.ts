import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** A caller's id is echoed only if it cannot smuggle anything into headers or logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Paths whose every response is patient data, or may be: no browser, proxy or CDN may keep a
 * copy. Media responses are also `private`: a shared cache must not keep even a stale one.
 */
export const NO_STORE_PATHS: readonly (readonly [prefix: string, cacheControl: string])[] = [
  ['/external/', 'no-store'],
  ['/media/', 'private, no-store'],
];

/** A request once `responseHeaders` has seen it: every request, since it runs first. */
export interface IdentifiedRequest extends Request {
  requestId: string;
}

/**
 * The headers every response carries, set in this one place before any routing (so a request
 * Express refuses to route has them too):
 * - `X-Request-Id`: the caller's when sane, else a new one; kept on the request for the error
 *   body and logs;
 * - `Cache-Control: no-store` under `/external/` and `/media/`. The path is `request.path`, which Express
 *   parses from the request target exactly as its router does, so an absolute-form target
 *   (`GET http://host/external/v1/encounters`) that is routed is also marked.
 */
export function responseHeaders(request: Request, response: Response, next: NextFunction): void {
  const sent = request.headers['x-request-id'];
  const requestId = typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : `req_${randomUUID()}`;
  (request as IdentifiedRequest).requestId = requestId;
  response.setHeader('X-Request-Id', requestId);
  const noStore = NO_STORE_PATHS.find(([prefix]) => request.path.startsWith(prefix));
  if (noStore) response.setHeader('Cache-Control', noStore[1]);
  next();
}
