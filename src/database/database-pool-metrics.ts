import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type pg from 'pg';
import { MetricsRegistry } from '../metrics/metrics-registry';

/**
 * The request pool's connections (in use, idle) and the requests waiting for one, read from the
 * pool at each scrape. The embedded database has no pool: the gauges stay empty there.
 */
@Injectable()
export class DatabasePoolMetrics {
  private pool: pg.Pool | null = null;

  constructor(registry: MetricsRegistry) {
    const poolOf = () => this.pool;
    new Gauge({
      name: 'charthero_db_pool_connections',
      help: 'Connections of the PostgreSQL request pool, by state: in_use (serving a request) or idle.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const pool = poolOf();
        if (pool === null) return;
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'charthero_db_pool_waiting_requests',
      help: 'Queries waiting for a connection of the PostgreSQL request pool (all connections in use).',
      registers: [registry],
      collect() {
        this.set(poolOf()?.waitingCount ?? 0);
      },
    });
  }

  /** The pool TypeORM created (dataSourceOptions' `onPool`). */
  watch(pool: pg.Pool): void {
    this.pool = pool;
  }
}
