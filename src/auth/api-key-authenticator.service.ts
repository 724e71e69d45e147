import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import type { ReasonCode } from '../common/reason-codes';
import { AppConfig } from '../config/app-config';
import { RateLimits } from '../rate-limits/rate-limits';
import { ApiKeyDigestService } from './api-key-digest.service';
import { isTestToken, isWellFormedToken } from './api-key-token';
import { ApiKeyUsageRecorder } from './api-key-usage-recorder.service';
import { Caller } from './caller';
import { ApiKeyEntity } from './entities/api-key.entity';
import { StoredKey, VerifiedKeyCache } from './verified-key-cache';

/**
 * Turns a bearer token into a `Caller`, or throws the reason code of the first check that
 * fails, in the order of docs/api.md ("The order of checks", steps 1.2 to 1.8; 1.1 is the header, see ApiKeyGuard).
 *
 * Failed lookups are limited per client address (docs/api.md "Rate limits"): each refusal
 * after a lookup (1.6 to 1.8) spends one of the address's failed-authentication budget, and an
 * address past it gets `429 rate_limited` instead of a lookup — unless the token's digest
 * authenticated recently, so that a valid key keeps working from an address others abuse.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly config: AppConfig,
    private readonly digests: ApiKeyDigestService,
    private readonly usage: ApiKeyUsageRecorder,
    private readonly cache: VerifiedKeyCache,
    private readonly rateLimits: RateLimits,
    private readonly clock: Clock,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
  ) {}

  /** `clientAddress`: whose failed-authentication budget a refused lookup spends. */
  async authenticate(token: string, clientAddress: string): Promise<Caller> {
    if (!this.config.apiKeys.enabled) throw new ApiError('api_keys_disabled');
    if (isTestToken(token) && !this.config.apiKeys.allowTestKeys) throw new ApiError('test_prefix_not_allowed');
    if (!isWellFormedToken(token)) throw new ApiError('malformed_token');

    const digest = this.digests.digest(token);
    const budget = this.rateLimits.failedAuth;
    if (budget.enabled && !this.cache.authenticatedRecently(digest)) {
      const state = await budget.peek(clientAddress);
      if (state?.exceeded) throw this.rateLimits.refusal(state);
    }
    const key = await this.findKey(digest);
    const now = this.clock.date();
    const refusal = refusalOf(key, now);
    if (refusal !== null) {
      await budget.consume(clientAddress);
      throw new ApiError(refusal);
    }

    this.cache.rememberAuthenticated(digest);
    this.usage.recordUse(key!.keyId, now);
    return toCaller(key!);
  }

  /**
   * The caller a key acts as if it would pass authentication now, else null: for what a key
   * obtained and uses without its token (a media URL), which must stop working with the key.
   * Cached like `authenticate`, so a revocation elsewhere is seen within KEY_CACHE_TTL_MS.
   */
  async callerOfKey(keyId: string): Promise<Caller | null> {
    if (!this.config.apiKeys.enabled) return null;
    let key = this.cache.getById(keyId);
    if (key === undefined) {
      key = toStoredKey(await this.keys.findOne({ where: { keyId }, relations: { organization: true } }));
      this.cache.setById(keyId, key);
    }
    if (!key || key.status !== 'active' || isExpired(key, this.clock.date()) || !key.organizationApiKeysEnabled) return null;
    return toCaller(key);
  }

  /** The key with this digest, from the cache or the database (which then fills the cache). */
  private async findKey(digest: string): Promise<StoredKey | null> {
    const cached = this.cache.get(digest);
    if (cached !== undefined) return cached;
    const key = toStoredKey(await this.keys.findOne({ where: { tokenDigest: digest }, relations: { organization: true } }));
    this.cache.set(digest, key);
    return key;
  }
}

function toStoredKey(row: ApiKeyEntity | null): StoredKey | null {
  return (
    row && {
      keyId: row.keyId,
      organizationId: row.organizationId,
      scopeType: row.scopeType,
      scopes: row.scopes,
      status: row.status,
      expiresAt: row.expiresAt,
      organizationApiKeysEnabled: row.organization?.apiKeysEnabled === true,
    }
  );
}

/** Checks 1.6 to 1.8 on the key found (or not) for the token. */
function refusalOf(key: StoredKey | null, now: Date): ReasonCode | null {
  if (!key) return 'invalid_key';
  if (key.status === 'revoked') return 'revoked_key';
  if (key.status === 'disabled') return 'disabled_key';
  if (isExpired(key, now)) return 'expired_key';
  if (!key.organizationApiKeysEnabled) return 'api_keys_disabled';
  return null;
}

function isExpired(key: StoredKey, now: Date): boolean {
  return key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime();
}

function toCaller(key: StoredKey): Caller {
  return { keyId: key.keyId, organizationId: key.organizationId, scopeType: key.scopeType, scopes: key.scopes };
}
