import type { Request } from 'express';
import type { ApiKeyScopeType } from './api-key-types';
import type { Scope } from './scopes';

/** Who is calling: the verified API key and the organization it acts for. */
export interface Caller {
  readonly keyId: string;
  readonly organizationId: string;
  readonly scopeType: ApiKeyScopeType;
  readonly scopes: readonly Scope[];
}

/** A request that went through `ApiKeyGuard`. */
export interface AuthenticatedRequest extends Request {
  caller?: Caller;
}

/** The caller of a request; a guard that runs before `ApiKeyGuard` is a programming error. */
export function callerOf(request: AuthenticatedRequest): Caller {
  if (!request.caller) throw new Error('callerOf() used on a request that ApiKeyGuard did not authenticate.');
  return request.caller;
}
