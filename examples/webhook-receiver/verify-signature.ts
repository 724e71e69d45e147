/**
 * Verifies a ChartHero webhook request (docs/webhooks.md): `ChartHero-Signature` carries one or
 * two `v1=<hex>` signatures, each an HMAC-SHA-256 keyed with a signing secret (`whsec_…`) over
 * `"{ChartHero-Timestamp}.{raw body}"`. The request is genuine when one of them matches one of
 * the secrets you hold (two during a rotation) and the timestamp is within the tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** ChartHero's guidance: reject timestamps more than 300 s from your clock (replays). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

export type Verification = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'no_valid_signature' };

export interface SignedRequest {
  /** The body exactly as received: verify before parsing, re-serialized JSON would not match. */
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function verifyChartHeroSignature(request: SignedRequest, secrets: readonly string[], nowSeconds = Date.now() / 1000): Verification {
  if (request.timestamp === undefined || request.signature === undefined) return { ok: false, reason: 'missing_headers' };
  if (!/^\d+$/.test(request.timestamp) || Math.abs(nowSeconds - Number(request.timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const signedPayload = Buffer.concat([Buffer.from(`${request.timestamp}.`, 'utf8'), request.rawBody]);
  const expected = secrets.map((secret) => createHmac('sha256', secret).update(signedPayload).digest());
  // Only `v1` is a signature scheme this receiver knows; anything else is ignored, never trusted.
  const given = request.signature
    .split(' ')
    .filter((part) => part.startsWith('v1='))
    .map((part) => Buffer.from(part.slice(3), 'hex'));
  const matches = given.some((signature) => expected.some((digest) => signature.length === digest.length && timingSafeEqual(signature, digest)));
  return matches ? { ok: true } : { ok: false, reason: 'no_valid_signature' };
}
