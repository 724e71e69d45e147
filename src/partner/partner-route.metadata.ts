import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../auth/caller';
import type { PartnerRouteId } from './partner-routes';

/** Marks a handler with its partner route id. Set by `@PartnerEndpoint`, read by the guards. */
export const PartnerRoute = Reflector.createDecorator<PartnerRouteId>();

/** A request that passed check 3: the partner route it calls, set by PartnerRouteGuard (read by PhiDisclosureGate). */
export interface PartnerRequest extends AuthenticatedRequest {
  partnerRoute?: PartnerRouteId;
}

export function partnerRouteOf(reflector: Reflector, context: ExecutionContext): PartnerRouteId {
  const routeId = reflector.get(PartnerRoute, context.getHandler());
  if (routeId === undefined) throw new Error(`${context.getClass().name}.${context.getHandler().name} has no @PartnerEndpoint.`);
  return routeId;
}
