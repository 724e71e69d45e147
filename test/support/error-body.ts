import type { Response } from 'supertest';

/**
 * Asserts a response is the public error body of docs/api.md for `reasonCode`, with the
 * status, category, field and request id the contract gives it.
 */
export function expectError(response: Response, status: number, reasonCode: string, options: { field?: string | null; missingScopes?: string[]; notReady?: string } = {}): void {
  const category = status === 404 ? 'not_found' : status === 503 ? 'service_unavailable' : status >= 500 ? 'internal_error' : 'api_key_validation_failed';
  expect({ status: response.status, reason_code: response.body.reason_code }).toEqual({ status, reason_code: reasonCode });
  expect(response.body).toEqual({
    error: category,
    reason_code: reasonCode,
    message: expect.any(String),
    field: options.field ?? null,
    request_id: response.headers['x-request-id'],
    ...(options.missingScopes && { missing_scopes: options.missingScopes }),
    ...(options.notReady && { not_ready: options.notReady }),
  });
  expect(response.body.request_id).toMatch(/\S/);
  if (status === 503) expect(response.headers['retry-after']).toMatch(/^\d+$/);
}
