import { Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PartnerRoute } from '../partner/partner-route.metadata';

/** The label of a request no route matched (an unknown path, a refused method). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route of a request, as logs and metrics name it: the partner route id (`encounters.list`)
 * when it has one, else its method and path template (`GET /health/ready`), else `unmatched`.
 * Never the path itself: ids in paths would make every request a label of its own, and a
 * path may carry anything a caller typed.
 */
@Injectable()
export class RouteLabels implements OnModuleInit {
  /** Partner route ids by `METHOD /path/template`, as Express matches them. */
  private readonly partnerRoutes = new Map<string, string>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const { metatype: controller } of this.discovery.getControllers()) {
      if (typeof controller !== 'function') continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
        if (typeof handler !== 'function') continue;
        const routeId = this.reflector.get(PartnerRoute, handler);
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (routeId === undefined || method === undefined) continue;
        const path = `/${Reflect.getMetadata(PATH_METADATA, controller)}/${Reflect.getMetadata(PATH_METADATA, handler)}`;
        this.partnerRoutes.set(`${RequestMethod[method]} ${path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`, routeId);
      }
    }
  }

  of(request: Request): string {
    const route = matchedRouteOf(request);
    return route === null ? UNMATCHED_ROUTE : (this.partnerRoutes.get(route) ?? route);
  }

  /** The partner route id of the request, or null when it matched no partner route. */
  partnerRouteOf(request: Request): string | null {
    const route = matchedRouteOf(request);
    return route === null ? null : (this.partnerRoutes.get(route) ?? null);
  }
}

/** `METHOD /path/template` of the route Express matched, or null. */
function matchedRouteOf(request: Request): string | null {
  // Express sets `route` once a route matched; it stays set after the handler has answered.
  const template = (request.route as { path?: unknown } | undefined)?.path;
  // A wildcard route (a middleware mounted on `{/*splat}`) matches any path: it names no route.
  if (typeof template !== 'string' || template.includes('*')) return null;
  // A HEAD is served by the GET route of its path.
  return `${request.method === 'HEAD' ? 'GET' : request.method} ${template}`;
}
