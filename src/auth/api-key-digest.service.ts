import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { ApiError } from '../common/api-error';
import { AppConfig } from '../config/app-config';

/**
 * Keyed digest of API-key tokens (HMAC-SHA-256 under `API_KEY_DIGEST_SECRET`): the only
 * form in which a token is stored or looked up.
 */
@Injectable()
export class ApiKeyDigestService implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyDigestService.name);

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    if (this.config.apiKeys.usingDevelopmentSecret) {
      this.logger.warn('API_KEY_DIGEST_SECRET is not set: using the development digest secret. Never do this in production.');
    } else if (this.config.apiKeys.digestSecret === null) {
      this.logger.error('API_KEY_DIGEST_SECRET is not set: keyed requests are answered 503 digest_key_unavailable.');
    }
  }

  /** @throws ApiError `digest_key_unavailable` when no secret is configured. */
  digest(token: string): string {
    const secret = this.config.apiKeys.digestSecret;
    if (secret === null) throw new ApiError('digest_key_unavailable');
    return createHmac('sha256', secret.reveal()).update(token, 'utf8').digest('hex');
  }
}
