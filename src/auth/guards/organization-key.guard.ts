import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthenticatedRequest, callerOf } from '../caller';

/** Check 2: partner routes take organization-scoped keys only (`org_scope_only_required`). */
@Injectable()
export class OrganizationKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const caller = callerOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    if (caller.scopeType !== 'organization') throw new ApiError('org_scope_only_required');
    return true;
  }
}
