import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { MetricsRegistry } from '../metrics/metrics-registry';

/** What became of a delivery attempt, as the dispatcher recorded it. */
export type AttemptOutcomeLabel = 'delivered' | 'retry_scheduled' | 'failed' | 'endpoint_gone' | 'claim_lost';

/** The webhook metrics of docs/operations.md "Runbook". */
@Injectable()
export class WebhookMetrics {
  readonly attempts: Counter<'outcome'>;

  constructor(registry: MetricsRegistry, dataSource: DataSource, clock: Clock) {
    this.attempts = new Counter({
      name: 'charthero_webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts made by this process, by outcome: delivered, retry_scheduled, failed (no attempt left), endpoint_gone (410: endpoint disabled), claim_lost.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'charthero_webhook_queue_depth',
      help: 'Pending webhook deliveries of every instance, by state: due (to be attempted now) or scheduled (waiting for a retry, or being attempted).',
      labelNames: ['state'] as const,
      registers: [registry],
      // Read from the shared table at each scrape: the queue is every instance's, not this process's.
      async collect() {
        try {
          const [row] = await dataSource.query<{ due: number; scheduled: number }[]>(
            `SELECT count(*) FILTER (WHERE next_attempt_at <= $1)::int AS due, count(*) FILTER (WHERE next_attempt_at > $1)::int AS scheduled
             FROM webhook_deliveries WHERE status = 'pending'`,
            [clock.date()],
          );
          this.set({ state: 'due' }, row.due);
          this.set({ state: 'scheduled' }, row.scheduled);
        } catch {
          // The database is down: the scrape still answers, with the last values; readiness tells the rest.
        }
      },
    });
  }
}
