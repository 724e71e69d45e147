import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PartnerRouteId } from './partner-routes';

/** Marks a handler with its partner route id. Set by `@PartnerEndpoint`, read by the guards. */
export const PartnerRoute = Reflector.createDecorator<PartnerRouteId>();

export function partnerRouteOf(reflector: Reflector, context: ExecutionContext): PartnerRouteId {
  const routeId = reflector.get(PartnerRoute, context.getHandler());
  if (routeId === undefined) throw new Error(`${context.getClass().name}.${context.getHandler().name} has no @PartnerEndpoint.`);
  return routeId;
}
