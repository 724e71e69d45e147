import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PartnerModule } from '../partner/partner.module';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookEventEntity } from './entities/webhook-event.entity';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookSecretCipher } from './webhook-secret-cipher';
import { WebhookSender } from './webhook-sender';

/**
 * Webhooks (docs/webhooks.md): endpoints registered by operators, the events the
 * database records (migration WebhookEvents), and the dispatcher that delivers them. The
 * dispatcher starts with the application when `WEBHOOK_DISPATCH` is on.
 */
@Module({
  // Endpoints belong to organizations that are partners (PartnerModule's allowlist).
  imports: [TypeOrmModule.forFeature([WebhookEndpointEntity, WebhookEventEntity, WebhookDeliveryEntity, WebhookDeliveryAttemptEntity]), OrganizationsModule, PartnerModule],
  providers: [WebhookSecretCipher, WebhookEndpointsService, WebhookDeliveriesService, WebhookSender, WebhookMetrics, WebhookDispatcher],
  // For the operator CLI and the fixture loader.
  exports: [WebhookEndpointsService, WebhookDeliveriesService, WebhookDispatcher],
})
export class WebhooksModule {}
