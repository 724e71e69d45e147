import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { RouteLabels } from './route-labels';

/** Seconds: a cached read takes about a millisecond; the statement timeout ends near 5 s. */
const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests served, and how long they took, by route (RouteLabels) and status. */
@Injectable()
export class RequestMetrics {
  readonly middleware: RequestHandler;

  constructor(registry: MetricsRegistry, routes: RouteLabels) {
    const requests = new Counter({
      name: 'charthero_http_requests_total',
      help: 'HTTP requests answered on the partner port, by route (partner route id, method and path template, or unmatched) and status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    });
    const durations = new Histogram({
      name: 'charthero_http_request_duration_seconds',
      help: 'Time from the request to the end of its response, by route and status.',
      labelNames: ['route', 'status'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.middleware = (request: Request, response: Response, next: NextFunction) => {
      const started = process.hrtime.bigint();
      // 'close' follows 'finish', and also comes alone when the client goes away first.
      response.once('close', () => {
        const labels = { route: routes.of(request), status: String(response.statusCode) };
        requests.inc(labels);
        durations.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }
}
