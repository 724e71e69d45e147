import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../../common/api-error';
import { setRateLimitHeaders } from '../../rate-limits/rate-limit-headers';
import { RateLimits } from '../../rate-limits/rate-limits';
import { ApiKeyAuthenticator } from '../api-key-authenticator.service';
import { bearerTokenOf } from '../api-key-token';
import { AuthenticatedRequest } from '../caller';

/**
 * Check 1: who is calling (`missing_bearer` … `api_keys_disabled`, `digest_key_unavailable`;
 * `invalid_request` for more than one Authorization header),
 * or `429 rate_limited` for an address past its failed authentications. A refusal carries the
 * address's failed-authentication budget in its RateLimit headers: there is no key's to tell.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Express's `ip`: the peer's address, or what X-Forwarded-For says as far as TRUST_PROXY trusts it.
    // (Undefined only once the socket is gone.)
    const clientAddress = request.ip ?? 'unknown';
    try {
      // Node keeps the first of repeated Authorization headers: two keys are ambiguous whichever
      // comes first, so neither is tried.
      const authorizations = request.headersDistinct.authorization ?? [];
      if (authorizations.length > 1) throw new ApiError('invalid_request');
      const token = bearerTokenOf(authorizations[0]);
      if (token === null) throw new ApiError('missing_bearer');
      request.caller = await this.authenticator.authenticate(token, clientAddress);
      return true;
    } catch (error) {
      if (error instanceof ApiError) {
        const state = await this.rateLimits.failedAuth.peek(clientAddress);
        if (state) setRateLimitHeaders(context.switchToHttp().getResponse<Response>(), state);
      }
      throw error;
    }
  }
}
