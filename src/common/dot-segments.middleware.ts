import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';

/** A `.` or `..` path segment, as sent or percent-encoded (`%2e`, `%2E`). */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=\/|$)/i;

/**
 * Paths match exactly, and a dot segment is never resolved: `/docs/..`, `/docs/./index.html`
 * or `/external/v1/encounters/%2e%2e` name nothing this service serves (`404 route_not_found`),
 * whatever a router or a static file server further on would make of them.
 */
export function refuseDotSegments(request: Request, _response: Response, next: NextFunction): void {
  next(DOT_SEGMENT.test(request.path) ? new ApiError('route_not_found') : undefined);
}
