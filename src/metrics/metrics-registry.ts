import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** What a cache lookup found: counted by `cacheLookups`. */
export type CacheLookupResult = 'hit' | 'miss';

/**
 * The application's Prometheus registry: one per application, so that two applications in one
 * process (the tests) never count into each other. It holds Node's default process metrics and
 * the metrics several modules share; a module that alone knows a measure defines it here itself,
 * next to the code it measures, with `registers: [registry]` (the runbook in docs/operations.md
 * lists them all).
 */
@Injectable()
export class MetricsRegistry extends Registry {
  /** Lookups of the one-second caches in front of the database, by cache and result. */
  readonly cacheLookups = new Counter({
    name: 'charthero_cache_lookups_total',
    help: 'Lookups of the in-process caches (API keys, partner allowlists), by cache and result (hit or miss).',
    labelNames: ['cache', 'result'] as const,
    registers: [this],
  });

  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }
}
