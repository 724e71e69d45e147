import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';

/** Seconds: a cached read takes about a millisecond; the statement timeout ends near 5 s. */
const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests served, and how long they took, by route (RouteLabels) and status. */
@Injectable()
export class RequestMetrics {
  private readonly requests: Counter<'route' | 'status'>;
  private readonly durations: Histogram<'route' | 'status'>;

  constructor(registry: MetricsRegistry) {
    this.requests = new Counter({
      name: 'charthero_http_requests_total',
      help: 'HTTP requests answered on the partner port, by route (partner route id, method and path template, or unmatched) and status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'charthero_http_request_duration_seconds',
      help: 'Time from the request to the end of its response, by route and status.',
      labelNames: ['route', 'status'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  record(route: string, status: number, seconds: number): void {
    const labels = { route, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }
}
