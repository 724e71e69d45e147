import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { ApiError } from '../common/api-error';
import { AppConfig } from '../config/app-config';
import type { Secret } from '../config/secret';

/** A token's digest and which secret made it. */
export interface TokenDigest {
  digest: string;
  /** `secretIdOf` the secret: stored beside the digest, so `keys list` can tell which keys a rotation has left behind. */
  secretId: string;
}

/** Whose digest a stored key has: the current secret's, the previous one's (a rotation under way), or neither. */
export type DigestSecretStanding = 'current' | 'previous' | 'unknown';

/**
 * Keyed digest of API-key tokens (HMAC-SHA-256 under `API_KEY_DIGEST_SECRET`): the only
 * form in which a token is stored or looked up. During a rotation, the digest under
 * `API_KEY_DIGEST_SECRET_PREVIOUS` finds a key not yet re-digested (docs/operations.md
 * "Rotating secrets").
 */
@Injectable()
export class ApiKeyDigestService implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyDigestService.name);
  private readonly currentId: string | null;
  private readonly previousId: string | null;

  constructor(private readonly config: AppConfig) {
    this.currentId = config.apiKeys.digestSecret && secretIdOf(config.apiKeys.digestSecret);
    this.previousId = config.apiKeys.previousDigestSecret && secretIdOf(config.apiKeys.previousDigestSecret);
  }

  onModuleInit(): void {
    if (this.config.apiKeys.usingDevelopmentSecret) {
      this.logger.warn('API_KEY_DIGEST_SECRET is not set: using the development digest secret. Never do this in production.');
    } else if (this.config.apiKeys.digestSecret === null) {
      this.logger.error('API_KEY_DIGEST_SECRET is not set: keyed requests are answered 503 digest_key_unavailable.');
    }
  }

  /** @throws ApiError `digest_key_unavailable` when no secret is configured. */
  digest(token: string): TokenDigest {
    const secret = this.config.apiKeys.digestSecret;
    if (secret === null) throw new ApiError('digest_key_unavailable');
    return { digest: hmac(secret, token), secretId: this.currentId! };
  }

  /** The digest under `API_KEY_DIGEST_SECRET_PREVIOUS`, or null outside a rotation. */
  previousDigest(token: string): string | null {
    const previous = this.config.apiKeys.previousDigestSecret;
    return previous === null ? null : hmac(previous, token);
  }

  /** Which secret made a stored digest, from the id stored beside it (null: made before ids were kept). */
  standingOf(secretId: string | null): DigestSecretStanding {
    if (secretId !== null && secretId === this.currentId) return 'current';
    if (secretId !== null && secretId === this.previousId) return 'previous';
    return 'unknown';
  }
}

function hmac(secret: Secret, token: string): string {
  return createHmac('sha256', secret.reveal()).update(token, 'utf8').digest('hex');
}

/**
 * A name for a digest secret that reveals nothing of it: the start of an HMAC under it of a
 * fixed label. Two deployments with the same secret get the same id, as they should.
 */
function secretIdOf(secret: Secret): string {
  return hmac(secret, 'charthero api key digest secret id').slice(0, 16);
}
