import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { AppConfig } from '../config/app-config';
import { MetricsRegistry } from './metrics-registry';

/**
 * `GET /metrics` in Prometheus' text format on `METRICS_PORT`, a listener of its own: the
 * partner port never serves it (a partner has no business reading our load), and a scraper
 * needs no API key. It stays up while the partner listener drains, until the process exits.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === null) return;
    const server = createServer((request, response) => void this.answer(request, response));
    server.listen(this.config.metricsPort);
    await once(server, 'listening');
    // Not logged here: main.ts says "listening" once both ports are bound, not before the partner port fails.
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server === null) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    try {
      const body = await this.registry.metrics();
      response.writeHead(200, { 'Content-Type': this.registry.contentType, 'Cache-Control': 'no-store' }).end(body);
    } catch (error) {
      this.logger.error(`collecting metrics failed: ${(error as Error).name}`);
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end('collecting metrics failed\n');
    }
  }
}
