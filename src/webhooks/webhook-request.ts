import { toApiTimestamp } from '../common/api-timestamp';
import type { WebhookEventEntity } from './entities/webhook-event.entity';
import { signatureHeader } from './signing-secret';

/** The version of the body and headers, sent in the body and in `ChartHero-Webhook-Version`. */
export const WEBHOOK_API_VERSION = '2026-05-01';

/**
 * The body of an event: a thin pointer, the same bytes on every attempt. No patient data, no
 * transcript, no URL: the receiver fetches what it needs with its key.
 */
export function webhookBody(event: WebhookEventEntity): string {
  return JSON.stringify({
    id: event.eventId,
    type: event.type,
    api_version: WEBHOOK_API_VERSION,
    occurred_at: toApiTimestamp(new Date(Math.floor(event.occurredAt.getTime() / 1000) * 1000)),
    organization_id: event.organizationId,
    resources: { encounter_id: event.encounterId, document_id: event.documentId },
  });
}

/** The headers of one attempt, signed at `timestamp` (Unix seconds) with each of `secrets`. */
export function webhookHeaders(input: { eventId: string; deliveryId: string; timestamp: number; body: string; secrets: readonly string[] }): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': `ChartHero-Webhooks/${WEBHOOK_API_VERSION}`,
    'ChartHero-Event-Id': input.eventId,
    'ChartHero-Delivery-Id': input.deliveryId,
    'ChartHero-Timestamp': String(input.timestamp),
    'ChartHero-Webhook-Version': WEBHOOK_API_VERSION,
    'ChartHero-Signature': signatureHeader(input.timestamp, input.body, input.secrets),
  };
}
