import { Injectable, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { type HealthCheckResult, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ProbeConnection } from '../database/probe-connection';
import { pendingSchemaChanges } from '../database/schema-migration';
import { NOT_READY_REASONS, type NotReadyReason } from '../common/reason-codes';
import { DrainingState } from './draining-state';

/** What readiness waits for: long enough for a loaded database, short enough for a load balancer. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * A terminus indicator of whether this instance can serve: it is not draining, the database
 * answers, and has every migration and routine this code knows (`db migrate` gives it both). On
 * PostgreSQL the question goes over a `ProbeConnection`: a pool that slow queries hold does not
 * make a healthy database look down, which would make a load balancer pull every instance at
 * once. (PGlite is one in-process session anyway.) Replicas are not asked: while the primary
 * answers, the encounter reads fall back to it, so a replica down or behind never makes an
 * instance unready.
 */
@Injectable()
export class DatabaseReadiness implements OnApplicationShutdown {
  private probe: ProbeConnection | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
    private readonly draining: DrainingState,
  ) {}

  async check(key: 'database'): Promise<HealthIndicatorResult<'database'>> {
    const indicator = this.indicators.check(key);
    if (this.draining.active) return indicator.down(notReady('draining'));
    let pending: number;
    try {
      const changes = await pendingSchemaChanges((text) => this.query(text));
      pending = changes.migrations.length + changes.routines.length;
    } catch {
      return indicator.down(notReady('database_unreachable'));
    }
    return pending === 0 ? indicator.up() : indicator.down(notReady('pending_migrations'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe?.close();
  }

  private async query<Row>(text: string): Promise<Row[]> {
    const database = this.config.database;
    if (database.kind === 'pglite') return this.dataSource.query<Row[]>(text);
    this.probe ??= new ProbeConnection(database.url.reveal(), 'charthero-readiness', PROBE_TIMEOUT_MS);
    return this.probe.query<Row>(text);
  }
}

/** What a down indicator carries, read back by `notReadyReasonOf`. */
function notReady(reason: NotReadyReason): { reason: NotReadyReason } {
  return { reason };
}

/** Why terminus refused readiness: the reason the database indicator went down with. */
export function notReadyReasonOf(failure: unknown): NotReadyReason | null {
  if (!(failure instanceof ServiceUnavailableException)) return null;
  const result = failure.getResponse() as HealthCheckResult<HealthIndicatorResult<'database'>>;
  const reason: unknown = result.error?.database?.reason;
  return NOT_READY_REASONS.find((known) => known === reason) ?? null;
}
