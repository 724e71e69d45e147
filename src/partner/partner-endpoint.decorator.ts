import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/guards/api-key.guard';
import { OrganizationKeyGuard } from '../auth/guards/organization-key.guard';
import { ScopeGuard } from '../auth/guards/scope.guard';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { declaresPartnerCall } from './partner-call.decorator';
import { PartnerRoute } from './partner-route.metadata';
import type { PartnerRouteId } from './partner-routes';

/**
 * Makes a handler a partner endpoint. The guards run in the contract's order of checks:
 * 1. authentication, 2. organization-scoped key, 3. partner route enablement, 4. scopes.
 * Then `@PartnerCall()`'s pipe validates the query (5), and the handler looks up the
 * resource (6). The handler must declare `@PartnerCall()`, or its class fails to load.
 */
export function PartnerEndpoint(routeId: PartnerRouteId): MethodDecorator {
  return applyDecorators(
    requirePartnerCallParameter(routeId),
    PartnerRoute(routeId),
    UseGuards(ApiKeyGuard, OrganizationKeyGuard, PartnerRouteGuard, ScopeGuard),
  );
}

// Parameter decorators are applied before method decorators, so the mark is already there.
function requirePartnerCallParameter(routeId: PartnerRouteId): MethodDecorator {
  return (target, key) => {
    if (!declaresPartnerCall(target, key)) {
      throw new Error(
        `${target.constructor.name}.${String(key)} (${routeId}) must declare a @PartnerCall() parameter: it is what rejects unsupported query params.`,
      );
    }
  };
}
