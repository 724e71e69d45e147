import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../../common/api-error';
import { AuthenticatedRequest, callerOf } from '../caller';
import { RequiredScopes } from '../required-scopes.decorator';

/** Check 4: the key holds every scope the handler requires (`missing_scope`, with `missing_scopes`). */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.get(RequiredScopes, context.getHandler());
    // Deny by default: a handler guarded for scopes must say which.
    if (required === undefined) throw new Error(`${context.getClass().name}.${context.getHandler().name} has no @RequiredScopes.`);
    const caller = callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    const missing = required.filter((scope) => !caller.scopes.includes(scope)).sort();
    if (missing.length > 0) throw new ApiError('missing_scope', { missingScopes: missing });
    return true;
  }
}
