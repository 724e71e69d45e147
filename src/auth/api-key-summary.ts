import type { DigestSecretStanding } from './api-key-digest.service';
import type { ApiKeyScopeType, ApiKeyStatus } from './api-key-types';
import type { ApiKeyEntity } from './entities/api-key.entity';
import type { Scope } from './scopes';

/** What may be shown about a key: everything but its digest (the token is never stored). */
export interface ApiKeySummary {
  keyId: string;
  organizationId: string;
  displayPrefix: string;
  scopeType: ApiKeyScopeType;
  scopes: Scope[];
  status: ApiKeyStatus;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  /** Which digest secret its stored digest is under (docs/operations.md "Rotating secrets"). */
  digestSecret: DigestSecretStanding;
}

/** The columns a summary is made of, so that queries never load the digest. */
export const API_KEY_SUMMARY_COLUMNS = {
  keyId: true,
  organizationId: true,
  displayPrefix: true,
  scopeType: true,
  scopes: true,
  status: true,
  expiresAt: true,
  lastUsedAt: true,
  createdAt: true,
  digestSecretId: true,
} as const satisfies Record<Exclude<keyof ApiKeySummary, 'digestSecret'> | 'digestSecretId', true>;

export function toApiKeySummary(key: ApiKeyEntity, digestSecret: DigestSecretStanding): ApiKeySummary {
  const { keyId, organizationId, displayPrefix, scopeType, scopes, status, expiresAt, lastUsedAt, createdAt } = key;
  return { keyId, organizationId, displayPrefix, scopeType, scopes, status, expiresAt, lastUsedAt, createdAt, digestSecret };
}
