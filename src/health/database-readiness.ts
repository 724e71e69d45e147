import { Injectable, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { type HealthCheckResult, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { pendingSchemaChanges } from '../database/schema-migration';
import { NOT_READY_REASONS, type NotReadyReason } from '../common/reason-codes';
import { DrainingState } from './draining-state';

/** What readiness waits for: long enough for a loaded database, short enough for a load balancer. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * A terminus indicator of whether this instance can serve: it is not draining, the database
 * answers, and has every migration and routine this code knows (`db migrate` gives it both). On PostgreSQL the question goes over a connection of its own, never the request
 * pool: a pool that slow queries hold does not make a healthy database look down, which would
 * make a load balancer pull every instance at once. (PGlite is one in-process session anyway.)
 */
@Injectable()
export class DatabaseReadiness implements OnApplicationShutdown {
  private client: pg.Client | null = null;

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
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private async query<Row>(text: string): Promise<Row[]> {
    const database = this.config.database;
    if (database.kind === 'pglite') return this.dataSource.query<Row[]>(text);
    try {
      this.client ??= await this.connect(database.url.reveal());
      return (await this.client.query<Row & pg.QueryResultRow>(text)).rows;
    } catch (error) {
      // A broken connection is replaced at the next check.
      const broken = this.client;
      this.client = null;
      await broken?.end().catch(() => undefined);
      throw error;
    }
  }

  private async connect(connectionString: string): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString,
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      statement_timeout: PROBE_TIMEOUT_MS,
      query_timeout: PROBE_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'charthero-readiness',
    });
    // An error on an idle connection (the server restarted) must not crash the process.
    client.on('error', () => undefined);
    await client.connect();
    return client;
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
