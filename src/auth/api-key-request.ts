import { toApiTimestamp } from '../common/api-timestamp';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { API_KEY_SCOPE_TYPES, ApiKeyScopeType } from './api-key-types';
import { isScope, Scope, SCOPES } from './scopes';

/** What an operator asks for when issuing a key, before it is checked. */
export interface ApiKeyRequest {
  organizationId: string;
  scopes: readonly string[];
  scopeType: string;
  expiresAt: Date | null;
}

export interface CheckedApiKeyRequest {
  organizationId: string;
  scopes: Scope[];
  scopeType: ApiKeyScopeType;
  expiresAt: Date | null;
}

/** The checks that need no database: known scopes (at least one), a known scope type, an expiry to come. */
export function checkApiKeyRequest(request: ApiKeyRequest, now: Date): CheckedApiKeyRequest {
  const knownScopes = `(known: ${SCOPES.join(', ')})`;
  if (request.scopes.length === 0) throw new InvalidInputError(`at least one scope is required ${knownScopes}`);
  const unknownScope = request.scopes.find((scope) => !isScope(scope));
  if (unknownScope !== undefined) throw new InvalidInputError(`unknown scope ${quoted(unknownScope)} ${knownScopes}`);

  const scopeType = API_KEY_SCOPE_TYPES.find((type) => type === request.scopeType);
  if (scopeType === undefined) {
    throw new InvalidInputError(`unknown scope type ${quoted(request.scopeType)} (known: ${API_KEY_SCOPE_TYPES.join(', ')})`);
  }
  // A key is expired from `expires_at` on (docs/api.md, check 1.7): one that starts expired is a mistake.
  if (request.expiresAt !== null && request.expiresAt.getTime() <= now.getTime()) {
    throw new InvalidInputError(`expires_at ${toApiTimestamp(request.expiresAt)} is not in the future`);
  }
  return { organizationId: request.organizationId, scopes: [...new Set(request.scopes.filter(isScope))], scopeType, expiresAt: request.expiresAt };
}
