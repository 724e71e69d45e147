import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { callerOf } from '../../auth/caller';
import { ApiError } from '../../common/api-error';
import { PartnerAccessService } from '../partner-access.service';
import { type PartnerRequest, partnerRouteOf } from '../partner-route.metadata';

/** Check 3: the organization is a partner (`organization_not_allowlisted`) with this route enabled (`route_not_allowed`). */
@Injectable()
export class PartnerRouteGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly partnerAccess: PartnerAccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PartnerRequest>();
    const routeId = partnerRouteOf(this.reflector, context);
    const enabledRoutes = await this.partnerAccess.enabledRoutesOf(callerOf(request).organizationId);
    if (enabledRoutes === null) throw new ApiError('organization_not_allowlisted');
    if (!enabledRoutes.includes(routeId)) throw new ApiError('route_not_allowed');
    request.partnerRoute = routeId;
    return true;
  }
}
