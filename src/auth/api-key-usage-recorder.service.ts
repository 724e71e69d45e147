import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';

/** `last_used_at` needs minute precision, not a write per request. */
const RECORD_INTERVAL_MS = 60_000;

/**
 * Keeps `api_keys.last_used_at` current without slowing requests: at most one write per key
 * per minute, made in the background. A failed write is logged and dropped: it must never
 * fail the request that used the key.
 */
@Injectable()
export class ApiKeyUsageRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeyUsageRecorder.name);
  private readonly lastRecordedAt = new Map<string, number>();
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  recordUse(keyId: string, usedAt: Date): void {
    const last = this.lastRecordedAt.get(keyId);
    if (last !== undefined && usedAt.getTime() - last < RECORD_INTERVAL_MS) return;
    this.lastRecordedAt.set(keyId, usedAt.getTime());

    const write = this.keys
      .update({ keyId }, { lastUsedAt: usedAt })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.warn(`Could not record the use of key ${keyId}: ${(error as Error).name}`);
      })
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }

  /** Resolves once the writes started so far have been made (or have failed and been logged). */
  async settled(): Promise<void> {
    await Promise.all(this.pendingWrites);
  }

  /** Lets in-flight writes finish before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}
