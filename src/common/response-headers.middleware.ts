import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

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
 * helmet, as this service configures it (used through `SECURITY_HEADERS`):
 * `X-Content-Type-Options: nosniff` above all (no browser may sniff a JSON body or a recording
 * into HTML). Partners paste keys into the reference page (/docs), which may therefore not be
 * framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`) and runs only this service's
 * scripts. `upgrade-insecure-requests` is left out: TLS is the load balancer's, and the page
 * must also work over plain HTTP on a developer's machine.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': null } },
  frameguard: { action: 'deny' },
});

/**
 * What helmet sets, read once: with these options no header depends on the request (no
 * directive is a function, no nonce), so every response gets the same ones. Setting them from
 * a list costs one loop per request instead of helmet's twelve chained middlewares
 * (docs/PERFORMANCE.md, issue 23); a unit test holds the list to what helmet sets on a request.
 */
export const SECURITY_HEADERS: readonly (readonly [name: string, value: string])[] = headersSetBy(securityHeaders);

function headersSetBy(middleware: (request: never, response: never, next: (error?: unknown) => void) => void): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = { setHeader: (name: string, value: string) => headers.push([name, value]), removeHeader: () => undefined };
  middleware({} as never, recorder as never, (error?: unknown) => {
    if (error !== undefined) throw error as Error;
  });
  return headers;
}

/**
 * The headers every response carries, set in this one place before any routing (so a request
 * Express refuses to route has them too):
 * - helmet's (`SECURITY_HEADERS`);
 * - `X-Request-Id`: the caller's when sane, else a new one; kept on the request for the error
 *   body and logs;
 * - `Cache-Control: no-store` under `/external/` and `/media/`. The path is `request.path`, which Express
 *   parses from the request target exactly as its router does, so an absolute-form target
 *   (`GET http://host/external/v1/encounters`) that is routed is also marked.
 */
export function responseHeaders(request: Request, response: Response, next: NextFunction): void {
  for (const [name, value] of SECURITY_HEADERS) response.setHeader(name, value);
  const sent = request.headers['x-request-id'];
  const requestId = typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : `req_${randomUUID()}`;
  (request as IdentifiedRequest).requestId = requestId;
  response.setHeader('X-Request-Id', requestId);
  const noStore = NO_STORE_PATHS.find(([prefix]) => request.path.startsWith(prefix));
  if (noStore) response.setHeader('Cache-Control', noStore[1]);
  next();
}
