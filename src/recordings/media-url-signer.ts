import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../common/api-error';
import { AppConfig } from '../config/app-config';
import { isRecordingId } from './recording-id';

/** What a media URL grants: one recording, on behalf of one API key, until a whole second. */
export interface MediaGrant {
  recordingId: string;
  keyId: string;
  /** Whole seconds since the epoch. */
  expiresAtSeconds: number;
}

/** Where the service serves the local store's recordings (MediaController's path). */
export const MEDIA_ROUTE = 'media/v1/recordings';

const SIGNATURE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding
const EXPIRES = /^[0-9]{1,12}$/;
const SEALED_KEY = /^[A-Za-z0-9_-]{22,}$/;
const IV_BYTES = 16;
/** Changing it invalidates every outstanding URL, as rotating MEDIA_URL_SECRET does. */
const SIGNED_PREFIX = 'charthero-media-url-v1';

/**
 * Media URLs of the local store: `/media/v1/recordings/<recording_id>?expires=<unix seconds>
 * &key=<sealed key id>&signature=<HMAC-SHA-256>`.
 *
 * The recording id is opaque and random. The issuing key's id is sealed (AES-256-CTR under a
 * key derived from MEDIA_URL_SECRET): fixture key ids are free text and may name an
 * organization, which a URL must not. The signature covers the three values (encrypt, then
 * MAC), so nothing can be changed, and is compared in constant time. Two keys are derived
 * from the one secret with HKDF, so no key serves two purposes.
 */
@Injectable()
export class MediaUrlSigner implements OnModuleInit {
  private readonly logger = new Logger(MediaUrlSigner.name);
  private readonly keys: { encryption: Buffer; signing: Buffer } | null;

  constructor(private readonly config: AppConfig) {
    const secret = config.recordings.mediaUrlSecret;
    this.keys = secret && {
      encryption: Buffer.from(hkdfSync('sha256', secret.reveal(), '', `${SIGNED_PREFIX} encryption`, 32)),
      signing: Buffer.from(hkdfSync('sha256', secret.reveal(), '', `${SIGNED_PREFIX} signing`, 32)),
    };
  }

  onModuleInit(): void {
    if (this.config.recordings.store.kind !== 'local') return;
    if (this.config.recordings.usingDevelopmentMediaSecret) {
      this.logger.warn('MEDIA_URL_SECRET is not set: media URLs are signed with the development secret. Never do this in production.');
    } else if (this.keys === null) {
      this.logger.warn('MEDIA_URL_SECRET is not set: the audio route answers 503 service_unavailable; every other route is served.');
    }
    if (this.config.production && this.config.recordings.mediaBaseUrl === null) {
      this.logger.warn("MEDIA_BASE_URL is not set: audio URLs take their origin from each request's Host header. Set it to the service's public origin.");
    }
  }

  /** False in production without MEDIA_URL_SECRET. */
  get canSign(): boolean {
    return this.keys !== null;
  }

  /**
   * The path and query of the media URL for a grant.
   * @throws ApiError `service_unavailable` when no secret is configured.
   */
  sign(grant: MediaGrant): string {
    const keys = this.requireKeys();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-ctr', keys.encryption, iv);
    const sealedKey = Buffer.concat([iv, cipher.update(grant.keyId, 'utf8'), cipher.final()]).toString('base64url');
    const expires = String(grant.expiresAtSeconds);
    const signature = this.signatureOf(keys.signing, grant.recordingId, expires, sealedKey);
    return `/${MEDIA_ROUTE}/${grant.recordingId}?${new URLSearchParams({ expires, key: sealedKey, signature }).toString()}`;
  }

  /**
   * The grant of a media URL, from its recording id (path) and query string.
   * @throws ApiError `media_url_invalid` unless the URL is exactly one this service signed,
   *   `media_url_expired` once its time has passed.
   */
  verify(recordingId: string, query: URLSearchParams, now: number): MediaGrant {
    const keys = this.keys;
    const expires = single(query, 'expires');
    const sealedKey = single(query, 'key');
    const signature = single(query, 'signature');
    const onlyThese = [...query.keys()].length === 3;
    const wellFormed =
      isRecordingId(recordingId) &&
      onlyThese &&
      expires !== null &&
      EXPIRES.test(expires) &&
      sealedKey !== null &&
      SEALED_KEY.test(sealedKey) &&
      signature !== null &&
      SIGNATURE.test(signature);
    if (keys === null || !wellFormed) throw new ApiError('media_url_invalid');
    const expected = this.signatureOf(keys.signing, recordingId, expires, sealedKey);
    if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) throw new ApiError('media_url_invalid');
    const expiresAtSeconds = Number(expires);
    if (now >= expiresAtSeconds * 1000) throw new ApiError('media_url_expired');

    // Signed by us, so the sealed key is one we made: decrypting cannot be fed anything else.
    const sealed = Buffer.from(sealedKey, 'base64url');
    const decipher = createDecipheriv('aes-256-ctr', keys.encryption, sealed.subarray(0, IV_BYTES));
    const keyId = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES)), decipher.final()]).toString('utf8');
    return { recordingId, keyId, expiresAtSeconds };
  }

  private requireKeys(): { encryption: Buffer; signing: Buffer } {
    if (this.keys === null) throw new ApiError('service_unavailable');
    return this.keys;
  }

  private signatureOf(signingKey: Buffer, recordingId: string, expires: string, sealedKey: string): string {
    // Newline-separated: none of the values can hold one (`verify` checks their forms first).
    return createHmac('sha256', signingKey).update(`${SIGNED_PREFIX}\n${recordingId}\n${expires}\n${sealedKey}`).digest('base64url');
  }
}

/** The one value of a query parameter; null when absent or repeated. */
function single(query: URLSearchParams, name: string): string | null {
  const values = query.getAll(name);
  return values.length === 1 ? values[0] : null;
}
