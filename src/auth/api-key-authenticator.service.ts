import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import type { ReasonCode } from '../common/reason-codes';
import { AppConfig } from '../config/app-config';
import { RateLimits } from '../rate-limits/rate-limits';
import { ApiKeyDigestService, type TokenDigest } from './api-key-digest.service';
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

    const current = this.digests.digest(token);
    const digest = current.digest;
    const budget = this.rateLimits.failedAuth;
    if (budget.enabled && !this.cache.authenticatedRecently(digest)) {
      const state = await budget.peek(clientAddress);
      if (state?.exceeded) throw this.rateLimits.refusal(state);
    }
    const key = await this.findKey(token, current);
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

  /**
   * The key of this token, from the cache or the database (which then fills the cache under the
   * current digest). Its stored digest ends up under the current secret whichever secret made
   * it: during a rotation, a key found by its digest under `API_KEY_DIGEST_SECRET_PREVIOUS` is
   * re-digested on this use, so that once `keys list` shows none left under the previous
   * secret, it can be removed (docs/operations.md "Rotating secrets").
   */
  private async findKey(token: string, current: TokenDigest): Promise<StoredKey | null> {
    const cached = this.cache.get(current.digest);
    if (cached !== undefined) return cached;
    let row = await this.keys.findOne({ where: { tokenDigest: current.digest }, relations: { organization: true } });
    if (row === null) {
      row = await this.findUnderPreviousSecret(token, current);
    } else if (row.digestSecretId !== current.secretId) {
      // Issued before the secret's id was kept: its digest is the current secret's, as it just showed.
      await this.keys.update({ keyId: row.keyId }, { digestSecretId: current.secretId });
    }
    const key = toStoredKey(row);
    this.cache.set(current.digest, key);
    return key;
  }

  /** The key whose stored digest is this token's under the previous secret, then re-digested under the current one. */
  private async findUnderPreviousSecret(token: string, current: TokenDigest): Promise<ApiKeyEntity | null> {
    const previous = this.digests.previousDigest(token);
    if (previous === null) return null;
    const row = await this.keys.findOne({ where: { tokenDigest: previous }, relations: { organization: true } });
    if (row === null) return null;
    // Conditional on the old digest: instances re-digesting the same key at once write it once.
    await this.keys.update({ keyId: row.keyId, tokenDigest: previous }, { tokenDigest: current.digest, digestSecretId: current.secretId });
    return row;
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
