import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthenticatedRequest, callerOf } from '../auth/caller';
import { rawQueryOf } from '../common/query/parse-query';
import { NO_QUERY, NoQuery, QuerySpec } from '../common/query/query-params';
import { QueryParamsPipe, UnvalidatedQuery } from '../common/query/query-params.pipe';

/** What a partner handler is given: the caller's organization and its validated query. */
export interface PartnerCall<Query = NoQuery> {
  readonly organizationId: string;
  readonly query: Query;
}

const DECLARES_PARTNER_CALL = Symbol('declaresPartnerCall');

const PartnerCallParam = createParamDecorator(
  (spec: QuerySpec, context: ExecutionContext): { organizationId: string; query: UnvalidatedQuery } => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return { organizationId: callerOf(request).organizationId, query: { spec, search: rawQueryOf(request.originalUrl) } };
  },
  [(target, key) => Reflect.defineMetadata(DECLARES_PARTNER_CALL, true, target, key!)],
);

/**
 * The handler parameter of every partner endpoint. `spec` lists the query params the route
 * supports (none by default): anything else is rejected by `QueryParamsPipe`.
 */
export function PartnerCall(spec: QuerySpec = NO_QUERY): ParameterDecorator {
  return PartnerCallParam(spec, QueryParamsPipe);
}

export function declaresPartnerCall(target: object, key: string | symbol): boolean {
  return Reflect.getMetadata(DECLARES_PARTNER_CALL, target, key) === true;
}
