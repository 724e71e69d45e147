import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { OrganizationsService } from '../organizations/organizations.service';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus, type WebhookEventType } from './webhook-types';

export interface WebhookDeliverySummary {
  deliveryId: string;
  eventId: string;
  eventType: WebhookEventType;
  endpointId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** The last attempt's status code, or its error class when none came back; null before any attempt. */
  lastResult: string | null;
  lastAttemptAt: Date | null;
  /** Null once delivered or failed. */
  nextAttemptAt: Date | null;
  createdAt: Date;
}

export const MAX_DELIVERY_LIST_LIMIT = 1_000;

/**
 * What an operator does with deliveries: read them, and queue them again. Queuing puts a
 * delivery back at the start of the retry schedule, due at once; one whose attempt is in
 * flight is left to it.
 */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly endpoints: WebhookEndpointsService,
    private readonly clock: Clock,
  ) {}

  /** An organization's deliveries, newest first. */
  async list(organizationId: string, { status, limit = 50 }: { status?: string; limit?: number } = {}): Promise<WebhookDeliverySummary[]> {
    if (status !== undefined && !(WEBHOOK_DELIVERY_STATUSES as readonly string[]).includes(status)) {
      throw new InvalidInputError(`unknown delivery status ${quoted(status)} (known: ${WEBHOOK_DELIVERY_STATUSES.join(', ')})`);
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DELIVERY_LIST_LIMIT) {
      throw new InvalidInputError(`the limit must be a whole number from 1 to ${MAX_DELIVERY_LIST_LIMIT}`);
    }
    await this.organizations.requireExisting(organizationId);
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `SELECT d.delivery_id, d.event_id, e.type, d.endpoint_id, d.status, d.attempt_count, d.next_attempt_at, d.created_at,
              a.status_code, a.error, a.attempted_at
       FROM webhook_deliveries d
       JOIN webhook_endpoints w ON w.endpoint_id = d.endpoint_id
       JOIN webhook_events e ON e.event_id = d.event_id
       LEFT JOIN webhook_delivery_attempts a ON a.delivery_id = d.delivery_id AND a.attempt_number = d.attempt_count
       WHERE w.organization_id = $1 AND ($2::text IS NULL OR d.status = $2)
       ORDER BY d.created_at DESC, d.delivery_id
       LIMIT $3`,
      [organizationId, status ?? null, limit],
    );
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      eventId: row.event_id,
      eventType: row.type,
      endpointId: row.endpoint_id,
      status: row.status,
      attempts: row.attempt_count,
      lastResult: row.status_code !== null ? String(row.status_code) : row.error,
      lastAttemptAt: row.attempted_at,
      nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
      createdAt: row.created_at,
    }));
  }

  /** Queues one delivery again, whatever its status. */
  async redeliver(deliveryId: string): Promise<void> {
    const [{ queued }] = await this.dataSource.query<{ queued: number }[]>(
      `WITH requeued AS (UPDATE webhook_deliveries d SET ${requeuedAt('$2')} WHERE d.delivery_id = $1 AND ${notInFlightAt('$2')} RETURNING 1)
       SELECT count(*)::int AS queued FROM requeued`,
      [deliveryId, this.clock.date()],
    );
    if (queued > 0) return;
    const exists = await this.dataSource.query<unknown[]>('SELECT 1 FROM webhook_deliveries WHERE delivery_id = $1', [deliveryId]);
    throw new InvalidInputError(
      exists.length === 0 ? `unknown delivery ${quoted(deliveryId)}` : `delivery ${quoted(deliveryId)} is being attempted right now: it needs no redelivery`,
    );
  }

  /**
   * Queues every event of the endpoint's organization and subscriptions that occurred at or
   * after `since`: those it was sent again (same delivery id), those that came before it
   * existed as new deliveries. Returns how many were queued.
   */
  async replay(endpointId: string, since: Date): Promise<number> {
    const endpoint = await this.endpoints.requireEndpoint(endpointId);
    if (endpoint.status !== 'enabled') throw new InvalidInputError(`endpoint ${quoted(endpointId)} is disabled: enable it first`);
    const [{ queued }] = await this.dataSource.query<{ queued: number }[]>(
      `WITH requeued AS (
         INSERT INTO webhook_deliveries AS d (delivery_id, event_id, endpoint_id, next_attempt_at)
         SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), e.event_id, w.endpoint_id, $3::timestamptz
         FROM webhook_events e JOIN webhook_endpoints w ON w.organization_id = e.organization_id AND e.type = ANY (w.events)
         WHERE w.endpoint_id = $1 AND e.occurred_at >= $2
         ON CONFLICT (event_id, endpoint_id) DO UPDATE SET ${requeuedAt('$3')} WHERE ${notInFlightAt('$3')}
         RETURNING 1)
       SELECT count(*)::int AS queued FROM requeued`,
      [endpointId, since, this.clock.date()],
    );
    return queued;
  }
}

/** Back to the start of the retry schedule, due at `now` (the parameter holding the service's time). */
function requeuedAt(now: string): string {
  return `status = 'pending', next_attempt_at = ${now}::timestamptz, attempts_since_queued = 0, lease_token = NULL`;
}

/** Not claimed, or claimed by a dispatcher whose lease has expired by `now`. */
function notInFlightAt(now: string): string {
  return `(d.lease_token IS NULL OR d.next_attempt_at <= ${now}::timestamptz)`;
}

interface DeliveryRow {
  delivery_id: string;
  event_id: string;
  type: WebhookEventType;
  endpoint_id: string;
  status: WebhookDeliveryStatus;
  attempt_count: number;
  next_attempt_at: Date | null;
  created_at: Date;
  status_code: number | null;
  error: string | null;
  attempted_at: Date | null;
}
