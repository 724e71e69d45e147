import type { PartnerRouteId } from '../partner/partner-routes';

/**
 * The event types an endpoint can subscribe to, each with the partner route whose data it
 * announces: an organization is sent an event only while it is allowlisted for that route.
 * A new event type is a line here, a trigger (a migration) that records it in
 * `webhook_events`, and its body in `webhook-request.ts` (docs/development.md).
 */
export const WEBHOOK_EVENT_ROUTES = {
  'recording.transcript_ready': 'documents.transcript',
} as const satisfies Record<string, PartnerRouteId>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_ROUTES;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_ROUTES) as WebhookEventType[];

export const WEBHOOK_ENDPOINT_STATUSES = ['enabled', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
