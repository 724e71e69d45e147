import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { AccessLog } from './access-log';
import { RequestMetrics } from './request-metrics';
import { RequestObserver } from './request-observer';
import { RouteLabels } from './route-labels';

/**
 * What the partner port tells operators about each request: an access line (AccessLog), the
 * request metrics (RequestMetrics) and the audit record of a denial, all written by
 * RequestObserver, which configureHttpApp mounts ahead of every route.
 */
@Module({
  imports: [DiscoveryModule, AuditModule],
  providers: [RouteLabels, AccessLog, RequestMetrics, RequestObserver],
  exports: [RequestObserver],
})
export class ObservabilityModule {}
