import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { RepeatedLogSampler, suppressedNote } from '../common/repeated-log-sampler';
import { AppConfig } from '../config/app-config';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookEventEntity } from './entities/webhook-event.entity';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookMetrics } from './webhook-metrics';
import { webhookBody, webhookHeaders } from './webhook-request';
import { WebhookSecretCipher } from './webhook-secret-cipher';
import { ATTEMPT_TIMEOUT_MS, type AttemptOutcome, WebhookSender } from './webhook-sender';
import { WEBHOOK_EVENT_ROUTES } from './webhook-types';

/** How often an idle dispatcher looks for due deliveries. */
const POLL_INTERVAL_MS = 1_000;
/** Attempts one dispatcher makes at once; a hanging receiver holds one of them for at most 10 s. */
const MAX_IN_FLIGHT = 16;
/**
 * How long a claim lasts: the attempt's 10 s and a margin to record it. A dispatcher that dies
 * mid-attempt leaves its deliveries to the others once this has passed.
 */
export const CLAIM_LEASE_MS = ATTEMPT_TIMEOUT_MS + 5_000;
/** The longest `Retry-After` honoured: a receiver cannot park a delivery for longer than a day. */
const MAX_RETRY_AFTER_SECONDS = 86_400;
/** ±10% around each step of the retry schedule, so that failures do not come back in lockstep. */
const JITTER = 0.1;

export interface ClaimedDelivery {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  attemptsSinceQueued: number;
  leaseToken: string;
}

/**
 * Sends due deliveries. Any number of dispatchers (server processes, `webhooks dispatch`) share
 * one database: each claims deliveries with `FOR UPDATE SKIP LOCKED`, which no two claims can
 * both get, and marks them with a lease — its token and an expiry in `next_attempt_at`. Only
 * the holder of the token records the attempt; a claim whose holder died expires and is
 * claimed again. Deliveries wait while their endpoint is disabled or their organization is not
 * a partner allowed the route of their event (WEBHOOK_EVENT_ROUTES).
 *
 * Due times and leases are read on the service's `Clock`; the database's clock only stamps a
 * new delivery due at its event (a trigger cannot ask the service for the time).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sampler = new RepeatedLogSampler();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly cipher: WebhookSecretCipher,
    private readonly endpoints: WebhookEndpointsService,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly clock: Clock,
    @InjectRepository(WebhookEventEntity) private readonly events: Repository<WebhookEventEntity>,
    @InjectRepository(WebhookEndpointEntity) private readonly endpointRows: Repository<WebhookEndpointEntity>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.webhooks.dispatch) this.start();
  }

  /** Settles the attempts in flight before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Starts dispatching; false (and nothing runs) without `WEBHOOK_SECRET_KEY`. */
  start(): boolean {
    if (!this.cipher.available) return false;
    if (this.running) return true;
    this.running = true;
    this.loop = this.run();
    return true;
  }

  /** Stops claiming, and waits for the attempts in flight to be made and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * One pass of the loop, awaited to the end: claims what is due now (as far as the attempts in
   * flight leave room), makes those attempts and records them. Returns how many it made; none
   * without `WEBHOOK_SECRET_KEY`, which nothing can be signed without. The loop runs it without
   * waiting for the attempts; tests drive a dispatcher by calling it.
   */
  async dispatchDue(): Promise<number> {
    if (!this.cipher.available) return 0;
    const { attempts } = await this.claimAndAttempt();
    await Promise.all(attempts);
    return attempts.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimedAll = false;
      try {
        const { attempts, capacity } = await this.claimAndAttempt();
        claimedAll = capacity > 0 && attempts.length === capacity;
      } catch (error) {
        // Every second while the database is away: once per interval is enough.
        const suppressed = this.sampler.admit(describe(error));
        if (suppressed !== null) this.logger.error(`claiming due deliveries failed: ${describe(error)}${suppressedNote(suppressed)}`);
      }
      // More may be due at once; otherwise look again after the interval.
      if (this.running && !claimedAll) await this.sleep(POLL_INTERVAL_MS);
    }
  }

  /** Claims up to the free capacity and starts an attempt for each claim, tracked until recorded. */
  private async claimAndAttempt(): Promise<{ attempts: Promise<void>[]; capacity: number }> {
    const capacity = MAX_IN_FLIGHT - this.inFlight.size;
    if (capacity <= 0) return { attempts: [], capacity };
    const claimed = await this.claimDue(capacity);
    return { attempts: claimed.map((delivery) => this.track(this.attempt(delivery))), capacity };
  }

  private track(attempt: Promise<void>): Promise<void> {
    this.inFlight.add(attempt);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
    });
    return attempt;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * Claims up to `limit` due deliveries for this dispatcher: no other claim, in this process
   * or another, gets any of them until the lease expires.
   */
  async claimDue(limit: number): Promise<ClaimedDelivery[]> {
    const leaseToken = randomUUID();
    const rows = await this.dataSource.query<{ delivery_id: string; event_id: string; endpoint_id: string; attempts_since_queued: number }[]>(
      // Wrapped in a SELECT: the rows of a bare UPDATE … RETURNING come back in a driver-specific shape.
      `WITH claimed AS (
         UPDATE webhook_deliveries d
         SET lease_token = $1, next_attempt_at = $6::timestamptz + make_interval(secs => $2)
         FROM (
           SELECT d.delivery_id FROM webhook_deliveries d
           JOIN webhook_endpoints w ON w.endpoint_id = d.endpoint_id AND w.status = 'enabled'
           JOIN webhook_events e ON e.event_id = d.event_id
           JOIN unnest($4::text[], $5::text[]) AS r (type, route) ON r.type = e.type
           JOIN partners p ON p.organization_id = w.organization_id AND r.route = ANY (p.enabled_routes)
           WHERE d.status = 'pending' AND d.next_attempt_at <= $6
           ORDER BY d.next_attempt_at
           LIMIT $3
           FOR UPDATE OF d SKIP LOCKED
         ) due
         WHERE d.delivery_id = due.delivery_id
         RETURNING d.delivery_id, d.event_id, d.endpoint_id, d.attempts_since_queued)
       SELECT * FROM claimed`,
      [leaseToken, CLAIM_LEASE_MS / 1000, limit, Object.keys(WEBHOOK_EVENT_ROUTES), Object.values(WEBHOOK_EVENT_ROUTES), this.clock.date()],
    );
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      eventId: row.event_id,
      endpointId: row.endpoint_id,
      attemptsSinceQueued: row.attempts_since_queued,
      leaseToken,
    }));
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    try {
      const outcome = await this.send(delivery);
      await this.record(delivery, outcome);
    } catch (error) {
      // The claim expires and another attempt follows; nothing about the receiver is known.
      this.logger.error(`delivery ${delivery.deliveryId}: ${describe(error)}`);
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<AttemptOutcome & { attemptedAt: Date }> {
    const attemptedAt = this.clock.date();
    const [event, endpoint] = await Promise.all([
      this.events.findOneByOrFail({ eventId: delivery.eventId }),
      this.endpointRows.findOneByOrFail({ endpointId: delivery.endpointId }),
    ]);
    let secrets: string[];
    try {
      secrets = this.endpoints.signingSecretsOf(endpoint);
    } catch {
      // WEBHOOK_SECRET_KEY changed under stored secrets: retried, so that restoring the key resumes delivery.
      return { attemptedAt, statusCode: null, error: 'signing_secret_unreadable', durationMs: 0, responseExcerpt: null, retryAfterSeconds: null };
    }
    const body = webhookBody(event);
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const headers = webhookHeaders({ eventId: event.eventId, deliveryId: delivery.deliveryId, timestamp, body, secrets });
    return { attemptedAt, ...(await this.sender.post(endpoint.url, headers, body)) };
  }

  private async record(delivery: ClaimedDelivery, outcome: AttemptOutcome & { attemptedAt: Date }): Promise<void> {
    const { statusCode } = outcome;
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const gone = statusCode === 410;
    const nextAttemptAt = delivered || gone ? null : this.nextAttemptAt(delivery.attemptsSinceQueued + 1, outcome.retryAfterSeconds);
    const status = delivered ? 'delivered' : nextAttemptAt === null ? 'failed' : 'pending';

    const recorded = await this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<{ attempt_count: number }[]>(
        `WITH recorded AS (
           UPDATE webhook_deliveries
           SET status = $3, next_attempt_at = $4, lease_token = NULL, attempt_count = attempt_count + 1, attempts_since_queued = attempts_since_queued + 1
           WHERE delivery_id = $1 AND lease_token = $2
           RETURNING attempt_count)
         SELECT attempt_count FROM recorded`,
        [delivery.deliveryId, delivery.leaseToken, status, nextAttemptAt],
      );
      // The claim was taken from us (it expired, or an operator redelivered): its holder records.
      if (row === undefined) return false;
      await manager.insert(WebhookDeliveryAttemptEntity, {
        deliveryId: delivery.deliveryId,
        attemptNumber: row.attempt_count,
        attemptedAt: outcome.attemptedAt,
        statusCode,
        error: outcome.error,
        durationMs: outcome.durationMs,
        responseExcerpt: outcome.responseExcerpt,
      });
      if (gone) await manager.update(WebhookEndpointEntity, { endpointId: delivery.endpointId }, { status: 'disabled' });
      return true;
    });
    this.metrics.attempts.inc({ outcome: !recorded ? 'claim_lost' : gone ? 'endpoint_gone' : status === 'pending' ? 'retry_scheduled' : status });
    if (!recorded) {
      this.logger.warn(`delivery ${delivery.deliveryId}: the claim expired before the attempt was recorded; it will be attempted again`);
    } else if (gone) {
      this.logger.warn(`endpoint ${delivery.endpointId} answered 410 Gone to delivery ${delivery.deliveryId}: the endpoint is now disabled`);
    } else if (status === 'failed') {
      this.logger.warn(`delivery ${delivery.deliveryId} to endpoint ${delivery.endpointId} failed after its last attempt (${statusCode ?? outcome.error})`);
    }
  }

  /** After the n-th failed attempt since queued: the n-th step of the schedule, or null when there is none left. */
  private nextAttemptAt(failedAttempts: number, retryAfterSeconds: number | null): Date | null {
    const schedule = this.config.webhooks.retryScheduleSeconds;
    if (failedAttempts > schedule.length) return null;
    const jittered = schedule[failedAttempts - 1] * (1 - JITTER + 2 * JITTER * Math.random());
    const seconds = Math.max(jittered, Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
    return new Date(this.clock.now() + seconds * 1000);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
