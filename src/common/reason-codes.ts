import { HttpStatus } from '@nestjs/common';

/**
 * Every reason code the API can answer with, its HTTP status and the default message.
 * Clients branch on the code; the message is for people and may change.
 */
export const REASON_CODES = {
  // 1. Authentication
  missing_bearer: { status: HttpStatus.UNAUTHORIZED, message: 'A Bearer API key is required in the Authorization header.' },
  api_keys_disabled: { status: HttpStatus.UNAUTHORIZED, message: 'API-key access is disabled.' },
  test_prefix_not_allowed: { status: HttpStatus.UNAUTHORIZED, message: 'Test API keys are not accepted by this deployment.' },
  malformed_token: { status: HttpStatus.UNAUTHORIZED, message: 'The API key is not well formed.' },
  digest_key_unavailable: { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'API-key verification is temporarily unavailable.' },
  invalid_key: { status: HttpStatus.UNAUTHORIZED, message: 'The API key is not valid.' },
  revoked_key: { status: HttpStatus.UNAUTHORIZED, message: 'The API key has been revoked.' },
  disabled_key: { status: HttpStatus.UNAUTHORIZED, message: 'The API key is disabled.' },
  expired_key: { status: HttpStatus.UNAUTHORIZED, message: 'The API key has expired.' },
  // Right after 1: the key's budget; or, instead of 1, the client address's failed authentications
  rate_limited: { status: HttpStatus.TOO_MANY_REQUESTS, message: 'Too many requests. Retry after the number of seconds in Retry-After.' },
  // 2. Key type
  org_scope_only_required: { status: HttpStatus.FORBIDDEN, message: 'Organization-scoped API keys are required.' },
  // 3. Partner route enablement
  organization_not_allowlisted: { status: HttpStatus.FORBIDDEN, message: 'The organization is not an approved partner.' },
  route_not_allowed: { status: HttpStatus.FORBIDDEN, message: 'This route is not enabled for the organization.' },
  // 4. Scopes
  missing_scope: { status: HttpStatus.FORBIDDEN, message: 'The API key does not include every required scope.' },
  // 5. Query validation
  unsupported_filter: { status: HttpStatus.BAD_REQUEST, message: 'The request includes a query parameter that this route does not support.' },
  invalid_limit: { status: HttpStatus.UNPROCESSABLE_ENTITY, message: 'The limit query parameter is invalid.' },
  invalid_offset: { status: HttpStatus.UNPROCESSABLE_ENTITY, message: 'The offset query parameter is invalid.' },
  invalid_sort: { status: HttpStatus.UNPROCESSABLE_ENTITY, message: 'The sort_order query parameter is invalid.' },
  invalid_query: { status: HttpStatus.UNPROCESSABLE_ENTITY, message: 'A date query parameter is invalid.' },
  // 6. Resource lookup
  encounter_not_found: { status: HttpStatus.NOT_FOUND, message: 'The encounter was not found for the caller organization.' },
  cross_organization_denied: { status: HttpStatus.FORBIDDEN, message: 'The requested encounter is not available to this API key.' },
  demo_training_denied: { status: HttpStatus.FORBIDDEN, message: 'The requested encounter is not available to this API key.' },
  document_not_found: { status: HttpStatus.NOT_FOUND, message: 'The document was not found on this encounter.' },
  unsupported_document_type: { status: HttpStatus.BAD_REQUEST, message: 'This route does not support the document type.' },
  transcript_not_found: { status: HttpStatus.NOT_FOUND, message: 'The document has no transcript yet.' },
  audio_not_found: { status: HttpStatus.NOT_FOUND, message: 'The document has no recording.' },
  // Media URLs (the audio route's signed URLs, served without an API key)
  media_url_invalid: { status: HttpStatus.FORBIDDEN, message: 'The media URL is not valid. Ask the audio route for a new one.' },
  media_url_expired: { status: HttpStatus.FORBIDDEN, message: 'The media URL has expired. Ask the audio route for a new one.' },
  range_not_satisfiable: { status: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, message: 'The requested range is not within the recording.' },
  // Outside the request checks: requests no route serves, or the HTTP layer refuses
  route_not_found: { status: HttpStatus.NOT_FOUND, message: 'No route matches this method and path.' },
  invalid_request: { status: HttpStatus.BAD_REQUEST, message: 'The request could not be read.' },
  // Nest's HttpStatus has no 431.
  request_header_too_large: { status: 431 as HttpStatus, message: 'The request line and headers are larger than the server accepts.' },
  request_timeout: { status: HttpStatus.REQUEST_TIMEOUT, message: 'The request did not arrive in time.' },
  payload_too_large: { status: HttpStatus.PAYLOAD_TOO_LARGE, message: 'The request body is too large.' },
  unsupported_media_type: { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: 'The request body has a media type this route does not accept.' },
  service_unavailable: { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'The service is temporarily unavailable. Retry later.' },
  internal_error: { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'An unexpected error occurred.' },
} as const satisfies Record<string, { status: HttpStatus; message: string }>;

export type ReasonCode = keyof typeof REASON_CODES;

/**
 * Why `/health/ready` answers 503, in its body's `not_ready` (docs/operations.md "Health"):
 * an operator tells an outage from a deploy that skipped `db migrate`, or from a drain.
 */
export const NOT_READY_REASONS = ['database_unreachable', 'pending_migrations', 'draining'] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];

/** The coarse `error` category of the public error body, derived from the status alone. */
export const ERROR_CATEGORIES = ['api_key_validation_failed', 'not_found', 'rate_limited', 'service_unavailable', 'internal_error'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export function errorCategoryOf(status: HttpStatus): ErrorCategory {
  if (status === HttpStatus.NOT_FOUND) return 'not_found';
  if (status === HttpStatus.TOO_MANY_REQUESTS) return 'rate_limited';
  if (status === HttpStatus.SERVICE_UNAVAILABLE) return 'service_unavailable';
  if (status >= HttpStatus.INTERNAL_SERVER_ERROR) return 'internal_error';
  return 'api_key_validation_failed';
}
