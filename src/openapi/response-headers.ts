import type { OpenAPIObject } from '@nestjs/swagger';
import { NO_STORE_PATHS } from '../common/response-headers.middleware';

const REQUEST_ID = { required: true, description: "The caller's X-Request-Id when sane, else a new id; equals request_id in an error body.", schema: { type: 'string' } };
const RETRY_AFTER = { required: true, description: 'Seconds to wait before retrying.', schema: { type: 'integer' } };
/** A range the recording does not have: the size it does have. */
const UNSATISFIED_RANGE = { required: true, description: 'bytes */<size of the recording>', schema: { type: 'string' } };
const RATE_LIMIT_POLICY = {
  description:
    'The budget that applies (draft-ietf-httpapi-ratelimit-headers): `"per-key";q=<requests>;w=<seconds>` for an authenticated key, `"failed-auth";q=…;w=…` (the client address\'s failed authentications) otherwise. Absent while the counters cannot be reached.',
  schema: { type: 'string', examples: ['"per-key";q=6000;w=60'] },
};
const RATE_LIMIT = {
  description: 'Where that budget stands: `r` requests remain, the window resets in `t` seconds.',
  schema: { type: 'string', examples: ['"per-key";r=5999;t=60'] },
};

/**
 * Documents the headers the service sets on every response (docs/api.md "Headers"), required
 * where every answer has them. The RateLimit fields are not: a deployment may turn a budget off,
 * and requests are served without them while the counters cannot be reached.
 */
export function documentResponseHeaders(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    const noStore = NO_STORE_PATHS.find(([prefix]) => path.startsWith(prefix));
    const cacheControl = noStore && { required: true, description: 'Patient data: no cache may keep a copy.', schema: { type: 'string', enum: [noStore[1]] } };
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch, item.head, item.options]) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (!response || !('description' in response)) continue;
        response.headers = {
          ...response.headers,
          'X-Request-Id': REQUEST_ID,
          ...(cacheControl && { 'Cache-Control': cacheControl }),
          ...((status === '503' || status === '429') && { 'Retry-After': RETRY_AFTER }),
          ...(path.startsWith('/external/') && { 'RateLimit-Policy': RATE_LIMIT_POLICY, RateLimit: RATE_LIMIT }),
          ...(path.startsWith('/media/') && status === '416' && { 'Content-Range': UNSATISFIED_RANGE }),
        };
      }
    }
  }
}
