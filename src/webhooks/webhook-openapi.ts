import type { OpenAPIObject } from '@nestjs/swagger';
import { WEBHOOK_API_VERSION } from './webhook-request';

const EVENT_SCHEMA_NAME = 'TranscriptReadyEvent';

/**
 * The body `webhookBody` writes, as partners' generated types see it. Open to properties added
 * later, as the API's own schemas are: a receiver must tolerate them.
 */
const TRANSCRIPT_READY_EVENT_SCHEMA = {
  type: 'object',
  description: 'A thin pointer: no patient data, no transcript, no URL. Fetch the transcript with your API key.',
  required: ['id', 'type', 'api_version', 'occurred_at', 'organization_id', 'resources'],
  properties: {
    id: {
      type: 'string',
      pattern: '^evt_[0-9a-f]{32}$',
      description: 'The event id, also sent as `ChartHero-Event-Id`: deduplicate on it.',
      example: 'evt_5f0c1e2a9b7d4c3e8f1a2b3c4d5e6f70',
    },
    type: { type: 'string', const: 'recording.transcript_ready' },
    api_version: { type: 'string', const: WEBHOOK_API_VERSION },
    occurred_at: { type: 'string', format: 'date-time', description: 'When the transcript was written, UTC, whole seconds.', example: '2026-05-25T15:00:00Z' },
    organization_id: { type: 'string', example: 'org_acme' },
    resources: {
      type: 'object',
      required: ['encounter_id', 'document_id'],
      properties: {
        encounter_id: { type: 'string', example: 'enc_1' },
        document_id: { type: 'string', description: 'An `ambient_transcript` document: read its transcript with `documents.transcript`.', example: 'doc_1' },
      },
    },
  },
};

function header(name: string, description: string, schema: Record<string, unknown>) {
  return { name, in: 'header' as const, required: true, description, schema };
}

/**
 * The `webhooks` section of the OpenAPI 3.1 description: what ChartHero POSTs to a partner's
 * endpoint (docs/webhooks.md), so that generated clients type the payload too.
 */
export function describeWebhooks(document: OpenAPIObject): void {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, [EVENT_SCHEMA_NAME]: TRANSCRIPT_READY_EVENT_SCHEMA } };
  (document as OpenAPIObject & { webhooks: Record<string, unknown> }).webhooks = {
    'recording.transcript_ready': {
      post: {
        operationId: 'webhooks.recording.transcript_ready',
        summary: 'An ambient transcript of a clinical encounter is ready',
        description:
          'Sent once per transcript to every enabled endpoint of the organization subscribed to it, while the organization is allowlisted for ' +
          '`documents.transcript`. Verify `ChartHero-Signature` over the raw body before anything else, answer 2xx within 10 s, then fetch. ' +
          'Anything else is retried about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later; `410` disables the endpoint. At least once: ' +
          'deduplicate on `ChartHero-Event-Id`.',
        tags: ['Webhooks'],
        // ChartHero calls the partner: the signature, not a key, is what authenticates the request.
        security: [],
        parameters: [
          header('ChartHero-Event-Id', 'The body `id`.', { type: 'string', pattern: '^evt_[0-9a-f]{32}$' }),
          header('ChartHero-Delivery-Id', 'This event for this endpoint: the same on every retry.', { type: 'string', pattern: '^whd_[0-9a-f]{32}$' }),
          header('ChartHero-Timestamp', 'Unix seconds of this attempt. Reject values more than 300 s from your clock.', { type: 'string', pattern: '^[0-9]+$' }),
          header('ChartHero-Webhook-Version', 'The version of body and headers.', { type: 'string', const: WEBHOOK_API_VERSION }),
          header(
            'ChartHero-Signature',
            '`v1=<hex>`: HMAC-SHA-256 keyed with the endpoint\'s signing secret (the whole `whsec_…` string) over `"{ChartHero-Timestamp}.{raw body}"`. ' +
              'During a secret rotation: `v1=<new> v1=<old>`.',
            { type: 'string', pattern: '^v1=[0-9a-f]{64}( v1=[0-9a-f]{64})?$' },
          ),
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${EVENT_SCHEMA_NAME}` } } } },
        responses: {
          '2XX': { description: 'Received. The body of the response is ignored.' },
          '410': { description: 'Gone: the endpoint is disabled at once, and nothing more is sent to it.' },
        },
      },
    },
  };
}
