import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { OrganizationsService } from '../organizations/organizations.service';
import { ApiKeyDigestService } from './api-key-digest.service';
import { ApiKeyRequest, checkApiKeyRequest } from './api-key-request';
import { API_KEY_SUMMARY_COLUMNS, ApiKeySummary, toApiKeySummary } from './api-key-summary';
import { displayPrefixOf, newApiKeyId, newApiKeyToken } from './api-key-token';
import type { ApiKeyStatus } from './api-key-types';
import { ApiKeyEntity } from './entities/api-key.entity';
import { VerifiedKeyCache } from './verified-key-cache';

export interface IssuedApiKey {
  key: ApiKeySummary;
  /** The only time the token exists outside its holder: it is stored as its digest alone. */
  token: string;
}

export interface ApiKeyStatusChange {
  keyId: string;
  organizationId: string;
  from: ApiKeyStatus;
  to: ApiKeyStatus;
}

/** Issuing API keys and managing their lifecycle (docs/operations.md `keys …`). */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly digests: ApiKeyDigestService,
    private readonly organizations: OrganizationsService,
    private readonly keyCache: VerifiedKeyCache,
    private readonly clock: Clock,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
  ) {}

  async issue(request: ApiKeyRequest): Promise<IssuedApiKey> {
    const checked = checkApiKeyRequest(request, this.clock.date());
    await this.organizations.requireExisting(checked.organizationId);
    const token = newApiKeyToken();
    const { digest, secretId } = this.digests.digest(token);
    const key = this.keys.create({
      ...checked,
      keyId: newApiKeyId(),
      tokenDigest: digest,
      digestSecretId: secretId,
      displayPrefix: displayPrefixOf(token),
      status: 'active',
      lastUsedAt: null,
    });
    await this.keys.insert(key);
    // Read back for the database's created_at; never the digest.
    const stored = await this.keys.findOneOrFail({ select: API_KEY_SUMMARY_COLUMNS, where: { keyId: key.keyId } });
    return { key: toApiKeySummary(stored, this.digests.standingOf(stored.digestSecretId)), token };
  }

  /** An organization's keys, oldest first, without their digests. */
  async listFor(organizationId: string): Promise<ApiKeySummary[]> {
    await this.organizations.requireExisting(organizationId);
    const keys = await this.keys.find({
      select: API_KEY_SUMMARY_COLUMNS,
      where: { organizationId },
      order: { createdAt: 'ASC', keyId: 'ASC' },
    });
    return keys.map((key) => toApiKeySummary(key, this.digests.standingOf(key.digestSecretId)));
  }

  /**
   * Moves a key to `status`: `revoked` from any other status, `disabled` ⇄ `active` both ways.
   * Revocation is permanent, and a key already in `status` is refused as a likely mistake.
   */
  async changeStatus(keyId: string, status: ApiKeyStatus): Promise<ApiKeyStatusChange> {
    const change = await this.dataSource.transaction(async (manager) => {
      // Locked, so that an enable racing a revoke cannot bring a revoked key back.
      const key = await manager.findOne(ApiKeyEntity, {
        select: { keyId: true, organizationId: true, status: true },
        where: { keyId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!key) throw new InvalidInputError(`unknown key ${quoted(keyId)}`);
      if (key.status === status) throw new InvalidInputError(`key ${quoted(keyId)} is already ${status}`);
      if (key.status === 'revoked') throw new InvalidInputError(`key ${quoted(keyId)} is revoked, and revocation is permanent`);
      await manager.update(ApiKeyEntity, { keyId }, { status });
      return { keyId, organizationId: key.organizationId, from: key.status, to: status };
    });
    // Seen by this process at once; by others when their cache entry expires (KEY_CACHE_TTL_MS).
    this.keyCache.forgetKey(keyId);
    return change;
  }
}
