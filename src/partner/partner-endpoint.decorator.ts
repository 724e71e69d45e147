import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiExtension, ApiOperation, ApiQuery, ApiSecurity } from '@nestjs/swagger';
import { ApiKeyGuard } from '../auth/guards/api-key.guard';
import { KeyRateLimitGuard } from '../auth/guards/key-rate-limit.guard';
import { OrganizationKeyGuard } from '../auth/guards/organization-key.guard';
import { ScopeGuard } from '../auth/guards/scope.guard';
import type { Disclosed } from '../audit/disclosure';
import { RequiredScopes } from '../auth/required-scopes.decorator';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import type { QuerySpec } from '../common/query/query-params';
import type { ReasonCode } from '../common/reason-codes';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { partnerCallQuerySpecOf } from './partner-call.decorator';
import { PartnerRoute } from './partner-route.metadata';
import { PARTNER_ROUTES, type PartnerRouteId } from './partner-routes';

/** The bearer security scheme of the OpenAPI description. */
export const PARTNER_SECURITY_SCHEME = 'bearer';

/** What checks 1-5 can answer on every partner route, whatever its resource. */
const CHECK_ERRORS: readonly ReasonCode[] = [
  'missing_bearer',
  'api_keys_disabled',
  'test_prefix_not_allowed',
  'malformed_token',
  'digest_key_unavailable',
  'invalid_key',
  'revoked_key',
  'disabled_key',
  'expired_key',
  'rate_limited',
  'org_scope_only_required',
  'organization_not_allowlisted',
  'route_not_allowed',
  'missing_scope',
  'unsupported_filter',
  'service_unavailable',
  'internal_error',
];

/** A method decorator that only a handler returning `Promise<Disclosed<…>>` compiles with. */
type PartnerHandlerDecorator = <Handler extends (...args: never[]) => Promise<Disclosed<unknown>>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<Handler>,
) => void;

export interface PartnerEndpointOptions {
  summary: string;
  /** Reason codes of the handler's own resource lookup (check 6), for the description. */
  lookupErrors?: readonly ReasonCode[];
}

/**
 * Makes a handler a partner endpoint, and describes it in OpenAPI from the same facts: the
 * route id (read by PartnerRouteGuard) and, from the partner route table, its scopes (read by
 * ScopeGuard).
 * The guards run in the contract's order of checks: 1. authentication, then the key's request
 * budget, 2. organization-scoped key, 3. partner route enablement, 4. scopes. Then `@PartnerCall()`'s pipe validates
 * the query (5), and the handler looks up the resource (6). The handler must declare
 * `@PartnerCall()`, or its class fails to load, and must return `Promise<Disclosed<…>>`, or it
 * does not compile: its body is sent once PhiDisclosureGate has audited what it discloses.
 */
export function PartnerEndpoint(routeId: PartnerRouteId, options: PartnerEndpointOptions): PartnerHandlerDecorator {
  const scopes = [...PARTNER_ROUTES[routeId].scopes];
  return (target, key, descriptor) => {
    // Parameter decorators are applied before method decorators, so the spec is already there.
    const querySpec = partnerCallQuerySpecOf(target, key);
    if (!querySpec) {
      throw new Error(`${target.constructor.name}.${String(key)} (${routeId}) must declare a @PartnerCall() parameter: it is what rejects unsupported query params.`);
    }
    applyDecorators(
      PartnerRoute(routeId),
      RequiredScopes(scopes),
      UseGuards(ApiKeyGuard, KeyRateLimitGuard, OrganizationKeyGuard, PartnerRouteGuard, ScopeGuard),
      ApiOperation({
        operationId: routeId,
        summary: options.summary,
        description: `Partner route \`${routeId}\`. Requires an organization-scoped API key with ${scopes.map((s) => `\`${s}\``).join(', ')}.`,
      }),
      ApiSecurity(PARTNER_SECURITY_SCHEME, scopes),
      ApiExtension('x-partner-route-id', routeId),
      ApiExtension('x-required-scopes', scopes),
      ...queryParameterDocs(querySpec),
      ApiErrorResponses([...CHECK_ERRORS, ...queryErrors(querySpec), ...(options.lookupErrors ?? [])]),
    )(target, key, descriptor);
  };
}

function queryParameterDocs(spec: QuerySpec): MethodDecorator[] {
  return Object.entries(spec.params).map(([name, param]) => ApiQuery({ name, required: false, description: param.openApi.description, schema: param.openApi.schema }));
}

/** Codes the route's own query params can give: the list's invalid_* codes, none elsewhere. */
function queryErrors(spec: QuerySpec): ReasonCode[] {
  return Object.values(spec.params).map((param) => param.invalid);
}
