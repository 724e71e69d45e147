import { Global, Module } from '@nestjs/common';
import { MetricsRegistry } from './metrics-registry';
import { MetricsServer } from './metrics-server';

/**
 * The Prometheus registry every module counts into, and its listener on `METRICS_PORT`
 * (docs/operations.md "Runbook"). Global: measuring is every module's business.
 */
@Global()
@Module({
  providers: [MetricsRegistry, MetricsServer],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
