import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: above the 24 the contract asks for. */
const GENERATED_SECRET_BYTES = 32;
/** What a fixture may give as a known secret (docs/operations.md "Fixture files"): the prefix and 8-256 characters. */
const WELL_FORMED_SECRET = /^whsec_[A-Za-z0-9_+/=-]{8,256}$/;

/** A new signing secret: `whsec_` and 32 random bytes in base64url. Shown once, then only stored encrypted. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
}

export function isWellFormedSigningSecret(value: string): boolean {
  return WELL_FORMED_SECRET.test(value);
}

/**
 * `ChartHero-Signature`: `v1=<hex>` per secret, the newest first, where hex is HMAC-SHA-256
 * keyed with the whole secret string (prefix included, as UTF-8) over `"{timestamp}.{raw body}"`.
 */
export function signatureHeader(timestamp: number, body: string, secrets: readonly string[]): string {
  return secrets.map((secret) => `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`).join(' ');
}
