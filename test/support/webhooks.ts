import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { encounter, organization, patient, transcriptDocument } from './fixtures';
import type { TestApp } from './test-app';
import type { ReceivedWebhook } from './webhook-receiver';

/**
 * Checks `ChartHero-Signature` as a partner would (docs/webhooks.md "Verifying the signature"), written here from
 * the contract rather than taken from src/: the `v1=` signatures it carries, in order, each
 * verified against one of `secrets` (HMAC-SHA-256 over "{timestamp}.{raw body}").
 */
export function verifiedSignatures(webhook: ReceivedWebhook, secrets: readonly string[]): boolean[] {
  const timestamp = String(webhook.headers['charthero-timestamp']);
  const signatures = String(webhook.headers['charthero-signature']).split(' ');
  return signatures.map((signature, index) => {
    if (!signature.startsWith('v1=') || secrets[index] === undefined) return false;
    const expected = createHmac('sha256', secrets[index]).update(`${timestamp}.${webhook.rawBody}`).digest();
    const given = Buffer.from(signature.slice(3), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** An organization that is a partner, with a patient and an encounter, as a fixture. */
export function partnerWithEncounter(name: string) {
  return {
    organizations: [organization(`org_${name}`)],
    patients: [patient(`pat_${name}`, `org_${name}`)],
    encounters: [encounter(`enc_${name}`, `org_${name}`, `pat_${name}`, '2026-05-25T14:00:00Z')],
  };
}

export function webhookEndpoint(endpointId: string, organizationId: string, url: string, secret: string, overrides: Record<string, unknown> = {}) {
  return { endpoint_id: endpointId, organization_id: organizationId, url, events: ['recording.transcript_ready'], secret, status: 'enabled', ...overrides };
}

/** A fixture that gives `enc_<name>` a new ambient transcript, which records `recording.transcript_ready`. */
export function transcriptReady(name: string, documentId: string) {
  return { documents: [transcriptDocument(documentId, `enc_${name}`)] };
}

export interface DeliveryRow {
  delivery_id: string;
  event_id: string;
  endpoint_id: string;
  status: string;
  attempt_count: number;
  next_attempt_at: Date | null;
}

export interface AttemptRow {
  attempt_number: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_excerpt: string | null;
}

export async function deliveriesOf(dataSource: DataSource, endpointId: string): Promise<DeliveryRow[]> {
  return dataSource.query(
    `SELECT delivery_id, event_id, endpoint_id, status, attempt_count, next_attempt_at FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, delivery_id`,
    [endpointId],
  );
}

export async function attemptsOf(dataSource: DataSource, deliveryId: string): Promise<AttemptRow[]> {
  return dataSource.query(
    `SELECT attempt_number, status_code, error, duration_ms, response_excerpt FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt_number`,
    [deliveryId],
  );
}

/**
 * One pass of the app's dispatcher (WEBHOOK_DISPATCH stays off in tests that drive it): the
 * deliveries due by the app's clock are attempted and recorded when this resolves, and a pass
 * that attempts none shows that nothing was due.
 */
export function dispatchDue(t: TestApp): Promise<number> {
  return t.app.get(WebhookDispatcher).dispatchDue();
}
