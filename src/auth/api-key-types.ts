export const API_KEY_SCOPE_TYPES = ['organization', 'user', 'platform'] as const;
export type ApiKeyScopeType = (typeof API_KEY_SCOPE_TYPES)[number];

export const API_KEY_STATUSES = ['active', 'disabled', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];
