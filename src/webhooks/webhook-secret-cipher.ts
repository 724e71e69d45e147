import { Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidInputError } from '../common/invalid-input.error';
import { AppConfig } from '../config/app-config';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Stored form: a version, then base64 of IV ‖ tag ‖ ciphertext. */
const VERSION = 'v1';

/**
 * Signing secrets at rest: AES-256-GCM under `WEBHOOK_SECRET_KEY`. The endpoint id is the
 * additional authenticated data, so a ciphertext copied onto another endpoint does not decrypt.
 * During a rotation, a secret stored under `WEBHOOK_SECRET_KEY_PREVIOUS` still decrypts (GCM's
 * tag tells which key made it) until `webhooks rekey` (docs/operations.md "Rotating secrets").
 */
@Injectable()
export class WebhookSecretCipher {
  private readonly key: Buffer | null;
  private readonly previousKey: Buffer | null;

  constructor(config: AppConfig) {
    const secretKey = config.webhooks.secretKey;
    this.key = secretKey === null ? null : Buffer.from(secretKey.reveal(), 'base64');
    this.previousKey = config.webhooks.previousSecretKey && Buffer.from(config.webhooks.previousSecretKey.reveal(), 'base64');
    const logger = new Logger('Webhooks');
    if (secretKey === null) {
      logger.warn('WEBHOOK_SECRET_KEY is not set: no webhook endpoint can be created and nothing is dispatched. The API keeps serving.');
    } else if (config.webhooks.usingDevelopmentSecretKey) {
      logger.warn('WEBHOOK_SECRET_KEY is not set: using the development key. Set it (openssl rand -base64 32) outside development.');
    }
  }

  /** False in production without `WEBHOOK_SECRET_KEY`: endpoints can be neither created nor delivered to. */
  get available(): boolean {
    return this.key !== null;
  }

  encrypt(endpointId: string, secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.requireKey(), iv);
    cipher.setAAD(Buffer.from(endpointId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  /** @throws Error when the value was not encrypted for this endpoint under the current or the previous key. */
  decrypt(endpointId: string, stored: string): string {
    return this.open(endpointId, stored).secret;
  }

  /**
   * `stored` encrypted under the current key (`webhooks rekey`), or null when it already is.
   * @throws Error when it decrypts under neither key.
   */
  reencrypt(endpointId: string, stored: string): string | null {
    const { secret, underPreviousKey } = this.open(endpointId, stored);
    return underPreviousKey ? this.encrypt(endpointId, secret) : null;
  }

  private open(endpointId: string, stored: string): { secret: string; underPreviousKey: boolean } {
    const [version, payload] = stored.split('.', 2);
    if (version !== VERSION || payload === undefined) throw new Error(`webhook secret of ${endpointId} is not in the ${VERSION} format`);
    const bytes = Buffer.from(payload, 'base64');
    try {
      return { secret: decryptWith(this.requireKey(), endpointId, bytes), underPreviousKey: false };
    } catch (error) {
      if (this.previousKey === null) throw error;
      return { secret: decryptWith(this.previousKey, endpointId, bytes), underPreviousKey: true };
    }
  }

  private requireKey(): Buffer {
    if (this.key === null) throw new InvalidInputError('WEBHOOK_SECRET_KEY is not set: webhook signing secrets cannot be stored or read.');
    return this.key;
  }
}

function decryptWith(key: Buffer, endpointId: string, bytes: Buffer): string {
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(endpointId, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
