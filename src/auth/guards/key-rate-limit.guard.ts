import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { setRateLimitHeaders } from '../../rate-limits/rate-limit-headers';
import { RateLimits } from '../../rate-limits/rate-limits';
import { AuthenticatedRequest, callerOf } from '../caller';

/**
 * Right after check 1: the key's budget (`RATE_LIMIT_PER_KEY` per window). Every request of an
 * authenticated key spends one and carries where the budget stands in its RateLimit headers;
 * one past it is `429 rate_limited`, before any other 403, 400 or 422.
 */
@Injectable()
export class KeyRateLimitGuard implements CanActivate {
  constructor(private readonly rateLimits: RateLimits) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { keyId } = callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    const state = await this.rateLimits.perKey.consume(keyId);
    if (state === null) return true; // no limit, or its store is unreachable (fail open)
    setRateLimitHeaders(context.switchToHttp().getResponse<Response>(), state);
    if (state.exceeded) throw this.rateLimits.refusal(state);
    return true;
  }
}
