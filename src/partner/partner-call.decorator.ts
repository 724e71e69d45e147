import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedRequest, callerOf } from '../auth/caller';
import { rawQueryOf } from '../common/query/parse-query';
import { NO_QUERY, NoQuery, QuerySpec } from '../common/query/query-params';
import { QueryParamsPipe, UnvalidatedQuery } from '../common/query/query-params.pipe';

/** What a partner handler is given: the caller's organization and key, and its validated query. */
export interface PartnerCall<Query = NoQuery> {
  readonly organizationId: string;
  readonly keyId: string;
  readonly query: Query;
}

const QUERY_SPEC = Symbol('partnerCallQuerySpec');

const PartnerCallParam = createParamDecorator((spec: QuerySpec, context: ExecutionContext): { organizationId: string; keyId: string; query: UnvalidatedQuery } => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  const { organizationId, keyId } = callerOf(request);
  return { organizationId, keyId, query: { spec, search: rawQueryOf(request.originalUrl) } };
});

/**
 * The handler parameter of every partner endpoint. `spec` lists the query params the route
 * supports (none by default): anything else is rejected by `QueryParamsPipe`.
 */
export function PartnerCall(spec: QuerySpec = NO_QUERY): ParameterDecorator {
  return (target, key, index) => {
    PartnerCallParam(spec, QueryParamsPipe)(target, key, index);
    // For @PartnerEndpoint: it documents these params and refuses a handler without them.
    Reflect.defineMetadata(QUERY_SPEC, spec, target, key!);
  };
}

/** The query spec of the handler's `@PartnerCall()` parameter, or undefined when it has none. */
export function partnerCallQuerySpecOf(target: object, key: string | symbol): QuerySpec | undefined {
  return Reflect.getMetadata(QUERY_SPEC, target, key) as QuerySpec | undefined;
}
