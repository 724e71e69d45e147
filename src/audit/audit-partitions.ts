import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseFailureSummary } from '../common/database-unavailable';

/** Months created ahead of the current one. */
const MONTHS_AHEAD = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps `phi_access_records`' monthly partitions ahead of time: at start and then daily, the
 * current month and the next two exist. Every instance does it; the database function lets
 * them take turns and creates each month once. Should all of them stop for months, records
 * still land, in the DEFAULT partition (docs/operations.md "PHI access audit").
 */
@Injectable()
export class AuditPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditPartitions.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure();
    this.timer = setInterval(() => void this.ensure(), DAY_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Never throws: a database that is away now is tried again tomorrow, and records still land meanwhile. */
  async ensure(): Promise<void> {
    try {
      await this.dataSource.query('SELECT ensure_phi_access_partitions(now(), $1)', [MONTHS_AHEAD]);
    } catch (error) {
      this.logger.warn(`Could not create the coming months' audit partitions: ${databaseFailureSummary(error)}`);
    }
  }
}
