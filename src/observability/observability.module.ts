import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AccessLog } from './access-log';
import { RequestMetrics } from './request-metrics';
import { RouteLabels } from './route-labels';

/**
 * What the partner port tells operators about each request: an access line (AccessLog) and the
 * request metrics (RequestMetrics). configureHttpApp mounts both ahead of every route.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [RouteLabels, AccessLog, RequestMetrics],
  exports: [AccessLog, RequestMetrics],
})
export class ObservabilityModule {}
