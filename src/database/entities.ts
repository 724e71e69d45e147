import { ApiKeyEntity } from '../auth/entities/api-key.entity';
import { DocumentEntity } from '../encounters/entities/document.entity';
import { EncounterEntity } from '../encounters/entities/encounter.entity';
import { PatientEntity } from '../encounters/entities/patient.entity';
import { OrganizationEntity } from '../organizations/entities/organization.entity';
import { PartnerEntity } from '../partner/entities/partner.entity';
import { RecordingEntity } from '../recordings/entities/recording.entity';
import { WebhookDeliveryAttemptEntity } from '../webhooks/entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from '../webhooks/entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../webhooks/entities/webhook-endpoint.entity';
import { WebhookEventEntity } from '../webhooks/entities/webhook-event.entity';

/** Every entity, listed explicitly so the same list works from `src/` (ts) and `dist/` (js). */
export const ENTITIES = [
  OrganizationEntity,
  PartnerEntity,
  ApiKeyEntity,
  PatientEntity,
  EncounterEntity,
  DocumentEntity,
  RecordingEntity,
  WebhookEndpointEntity,
  WebhookEventEntity,
  WebhookDeliveryEntity,
  WebhookDeliveryAttemptEntity,
];
