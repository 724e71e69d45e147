import type { Response } from 'express';
import type { BudgetState } from './budget';

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers) of a budget:
 * `RateLimit-Policy: "per-key";q=6000;w=60` and `RateLimit: "per-key";r=5999;t=60`.
 */
export function setRateLimitHeaders(response: Response, state: BudgetState): void {
  response.setHeader('RateLimit-Policy', `"${state.policy}";q=${state.quota};w=${state.windowSeconds}`);
  response.setHeader('RateLimit', `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`);
}
