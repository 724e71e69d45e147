import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../../common/api-error';
import { partnerRouteOf } from '../../partner/partner-route.metadata';
import { PARTNER_ROUTES } from '../../partner/partner-routes';
import { AuthenticatedRequest, callerOf } from '../caller';

/** Check 4: the key holds every scope the route requires (`missing_scope`, with `missing_scopes`). */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const caller = callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    const required = PARTNER_ROUTES[partnerRouteOf(this.reflector, context)].scopes;
    const missing = required.filter((scope) => !caller.scopes.includes(scope)).sort();
    if (missing.length > 0) throw new ApiError('missing_scope', { missingScopes: missing });
    return true;
  }
}
