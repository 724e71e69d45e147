import { randomInt } from 'node:crypto';

/** The token shapes of docs/api.md ("Routes and scopes"; checks 1.3-1.4 of the order of checks). */
export const TEST_KEY_PREFIX = 'ch_test_';
const WELL_FORMED_TOKEN = /^(?:ch_sk_|ch_test_sk_)[A-Za-z0-9_]{8,128}$/;

export function isTestToken(token: string): boolean {
  return token.startsWith(TEST_KEY_PREFIX);
}

export function isWellFormedToken(token: string): boolean {
  return WELL_FORMED_TOKEN.test(token);
}

/** The non-secret start of a token kept for display: its prefix and four more characters. */
export function displayPrefixOf(token: string): string {
  const prefix = token.startsWith('ch_test_sk_') ? 'ch_test_sk_' : 'ch_sk_';
  return `${token.slice(0, prefix.length + 4)}…`;
}

/**
 * The token of an `Authorization: Bearer <token>` header, or null when there is none:
 * the scheme is case-insensitive and exactly one space separates it from a single,
 * non-empty token.
 */
export function bearerTokenOf(authorization: string | undefined): string | null {
  const match = /^bearer ([^ ]+)$/i.exec(authorization ?? '');
  return match ? match[1] : null;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of [A-Za-z0-9], each drawn uniformly by the CSPRNG. */
function randomAlphanumeric(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

/** A new live token: `ch_sk_` and 32 random alphanumerics (about 190 bits). */
export function newApiKeyToken(): string {
  return `ch_sk_${randomAlphanumeric(32)}`;
}

/** A new key id. Not a secret: it names the key in `keys list` and to operators. */
export function newApiKeyId(): string {
  return `key_${randomAlphanumeric(16)}`;
}
