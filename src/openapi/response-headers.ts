import type { OpenAPIObject } from '@nestjs/swagger';

const REQUEST_ID = { description: "The caller's X-Request-Id when sane, else a new id; equals request_id in an error body.", schema: { type: 'string' } };
const NO_STORE = { description: 'Always no-store: partner responses are patient data.', schema: { type: 'string', enum: ['no-store'] } };
const RETRY_AFTER = { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } };
const RATE_LIMIT_POLICY = {
  description:
    'The budget that applies (draft-ietf-httpapi-ratelimit-headers): `"per-key";q=<requests>;w=<seconds>` for an authenticated key, `"failed-auth";q=…;w=…` (the client address\'s failed authentications) otherwise. Absent while the counters cannot be reached.',
  schema: { type: 'string', examples: ['"per-key";q=6000;w=60'] },
};
const RATE_LIMIT = {
  description: 'Where that budget stands: `r` requests remain, the window resets in `t` seconds.',
  schema: { type: 'string', examples: ['"per-key";r=5999;t=60'] },
};

/** Documents the headers the service sets on every response (docs/api.md "Headers"). */
export function documentResponseHeaders(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch, item.head, item.options]) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (!response || !('description' in response)) continue;
        response.headers = {
          ...response.headers,
          'X-Request-Id': REQUEST_ID,
          ...(path.startsWith('/external/') && { 'Cache-Control': NO_STORE }),
          ...((status === '503' || status === '429') && { 'Retry-After': RETRY_AFTER }),
          ...(path.startsWith('/external/') && { 'RateLimit-Policy': RATE_LIMIT_POLICY, RateLimit: RATE_LIMIT }),
        };
      }
    }
  }
}
