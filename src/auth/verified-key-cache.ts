import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TtlCache } from '../common/ttl-cache';
import { MetricsRegistry } from '../metrics/metrics-registry';
import type { ApiKeyScopeType, ApiKeyStatus } from './api-key-types';
import type { Scope } from './scopes';

/** What authentication needs of a key row; the checks run on it at every request. */
export interface StoredKey {
  keyId: string;
  organizationId: string;
  scopeType: ApiKeyScopeType;
  scopes: readonly Scope[];
  status: ApiKeyStatus;
  expiresAt: Date | null;
  organizationApiKeysEnabled: boolean;
}

/**
 * Bounds how long a change made by another process (a CLI revoke, another instance) can go
 * unseen: the contract allows 2 s; one second keeps a wide margin at one lookup per key per second.
 */
export const KEY_CACHE_TTL_MS = 1_000;
const MAX_CACHED_KEYS = 10_000;
/**
 * How long a digest that authenticated is known as a real key's, for the failed-authentication
 * budget only: it is still looked up and checked at each request.
 */
const AUTHENTICATED_DIGEST_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Keys by token digest, so a cached request costs no database round trip. Unknown digests
 * are cached too (as null): a flood of bad tokens must not become a flood of queries.
 * Keys are also cached by id, for what acts on a key's behalf without its token (a media URL).
 */
@Injectable()
export class VerifiedKeyCache {
  private readonly byDigest: TtlCache<string, StoredKey | null>;
  private readonly byId: TtlCache<string, StoredKey | null>;
  private readonly authenticated: TtlCache<string, true>;

  constructor(
    private readonly metrics: MetricsRegistry,
    clock: Clock,
  ) {
    this.byDigest = new TtlCache(KEY_CACHE_TTL_MS, MAX_CACHED_KEYS, clock);
    this.byId = new TtlCache(KEY_CACHE_TTL_MS, MAX_CACHED_KEYS, clock);
    this.authenticated = new TtlCache(AUTHENTICATED_DIGEST_TTL_MS, MAX_CACHED_KEYS, clock);
  }

  /** undefined: not cached; null: cached as unknown. */
  get(digest: string): StoredKey | null | undefined {
    return this.counted('api_keys', this.byDigest.get(digest));
  }

  set(digest: string, key: StoredKey | null): void {
    this.byDigest.set(digest, key);
  }

  /** undefined: not cached; null: cached as unknown. */
  getById(keyId: string): StoredKey | null | undefined {
    return this.counted('api_keys_by_id', this.byId.get(keyId));
  }

  setById(keyId: string, key: StoredKey | null): void {
    this.byId.set(keyId, key);
  }

  /** Remembers that `digest` is a key's that authenticated (not the key itself). */
  rememberAuthenticated(digest: string): void {
    this.authenticated.set(digest, true);
  }

  /** Whether `digest` authenticated in this process within the last day: a real key's, not a guess. */
  authenticatedRecently(digest: string): boolean {
    return this.authenticated.get(digest) === true;
  }

  /** A change made in this process is seen by it at once. */
  forgetKey(keyId: string): void {
    this.byDigest.deleteWhere((key) => key?.keyId === keyId);
    this.byId.delete(keyId);
  }

  private counted(cache: string, found: StoredKey | null | undefined): StoredKey | null | undefined {
    this.metrics.cacheLookups.inc({ cache, result: found === undefined ? 'miss' : 'hit' });
    return found;
  }
}
