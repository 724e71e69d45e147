import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { AppConfig } from '../config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { PartnerAccessService } from '../partner/partner-access.service';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { generateSigningSecret } from './signing-secret';
import { WebhookSecretCipher } from './webhook-secret-cipher';
import { checkEndpointUrl } from './webhook-target';
import { WEBHOOK_EVENT_TYPES, type WebhookEndpointStatus, type WebhookEventType } from './webhook-types';

export interface WebhookEndpointSummary {
  endpointId: string;
  organizationId: string;
  url: string;
  events: WebhookEventType[];
  status: WebhookEndpointStatus;
  /** Deliveries waiting for an attempt, and deliveries that ran out of attempts. */
  pendingDeliveries: number;
  failedDeliveries: number;
  /** Until when the previous secret still signs; null without a rotation in its grace period. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
}

export interface NewWebhookEndpoint {
  organizationId: string;
  url: string;
  /** Defaults to every event type. */
  events?: readonly string[];
}

/** An endpoint as a fixture gives it: with its id and a known secret. */
export interface KnownWebhookEndpoint {
  endpointId: string;
  organizationId: string;
  url: string;
  events: readonly WebhookEventType[];
  secret: string;
  status: WebhookEndpointStatus;
}

const DEFAULT_GRACE_HOURS = 24;
const MAX_GRACE_HOURS = 24 * 30;

/**
 * Webhook endpoints of partner organizations, registered by operators. A signing secret leaves
 * this service only in the return value of `create` and `rotateSecret`, to be shown once.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly config: AppConfig,
    private readonly cipher: WebhookSecretCipher,
    private readonly organizations: OrganizationsService,
    private readonly partnerAccess: PartnerAccessService,
    private readonly clock: Clock,
    @InjectRepository(WebhookEndpointEntity) private readonly endpoints: Repository<WebhookEndpointEntity>,
  ) {}

  async create({ organizationId, url, events }: NewWebhookEndpoint): Promise<{ endpointId: string; secret: string }> {
    const checkedUrl = checkEndpointUrl(url, this.config.webhooks.allowPrivateTargets);
    const eventTypes = knownEventTypes(events ?? WEBHOOK_EVENT_TYPES);
    this.requireCipher();
    await this.organizations.requireExisting(organizationId);
    // Read fresh, not through the one-second cache requests use: an operator just allowlisted it.
    this.partnerAccess.forget(organizationId);
    if ((await this.partnerAccess.enabledRoutesOf(organizationId)) === null) {
      throw new InvalidInputError(`organization ${quoted(organizationId)} is not a partner: endpoints are for allowlisted partners only`);
    }
    const endpointId = `whe_${randomBytes(16).toString('hex')}`;
    const secret = generateSigningSecret();
    await this.endpoints.insert({
      endpointId,
      organizationId,
      url: checkedUrl,
      events: eventTypes,
      status: 'enabled',
      secretCiphertext: this.cipher.encrypt(endpointId, secret),
    });
    return { endpointId, secret };
  }

  /** Inserts endpoints with known ids and secrets (fixtures), in the caller's transaction. */
  async insertKnown(manager: EntityManager, endpoints: readonly KnownWebhookEndpoint[]): Promise<void> {
    if (endpoints.length === 0) return;
    this.requireCipher();
    await manager.insert(
      WebhookEndpointEntity,
      endpoints.map((endpoint) => ({
        endpointId: endpoint.endpointId,
        organizationId: endpoint.organizationId,
        url: checkEndpointUrl(endpoint.url, this.config.webhooks.allowPrivateTargets),
        events: [...new Set(endpoint.events)],
        status: endpoint.status,
        secretCiphertext: this.cipher.encrypt(endpoint.endpointId, endpoint.secret),
      })),
    );
  }

  async list(organizationId: string): Promise<WebhookEndpointSummary[]> {
    await this.organizations.requireExisting(organizationId);
    const rows = await this.endpoints
      .createQueryBuilder('endpoint')
      .select(['endpoint.endpointId', 'endpoint.organizationId', 'endpoint.url', 'endpoint.events', 'endpoint.status'])
      .addSelect(['endpoint.previousSecretExpiresAt', 'endpoint.createdAt'])
      .addSelect(`(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = endpoint.endpoint_id AND d.status = 'pending')`, 'pending')
      .addSelect(`(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = endpoint.endpoint_id AND d.status = 'failed')`, 'failed')
      .where('endpoint.organizationId = :organizationId', { organizationId })
      .orderBy('endpoint.createdAt')
      .addOrderBy('endpoint.endpointId')
      .getRawAndEntities();
    const counts = rows.raw as { pending: string; failed: string }[];
    return rows.entities.map((endpoint, index) => ({
      endpointId: endpoint.endpointId,
      organizationId: endpoint.organizationId,
      url: endpoint.url,
      events: endpoint.events,
      status: endpoint.status,
      pendingDeliveries: Number(counts[index].pending),
      failedDeliveries: Number(counts[index].failed),
      previousSecretExpiresAt: isInGracePeriod(endpoint.previousSecretExpiresAt, this.clock.now()) ? endpoint.previousSecretExpiresAt : null,
      createdAt: endpoint.createdAt,
    }));
  }

  /**
   * A disabled endpoint is sent nothing: its pending deliveries wait, and go out when it is
   * enabled again. New events are not queued for it while it is disabled.
   */
  async setStatus(endpointId: string, status: WebhookEndpointStatus): Promise<{ changed: boolean }> {
    const endpoint = await this.requireEndpoint(endpointId);
    if (endpoint.status === status) return { changed: false };
    await this.endpoints.update({ endpointId }, { status });
    return { changed: true };
  }

  /** Removes the endpoint with its deliveries and their attempts; the events stay (others may have them). */
  async delete(endpointId: string): Promise<void> {
    await this.requireEndpoint(endpointId);
    await this.endpoints.delete({ endpointId });
  }

  /**
   * A new secret, returned to be shown once. The current one keeps signing beside it for
   * `graceHours` (0: not at all), so that receivers can switch without rejecting deliveries.
   */
  async rotateSecret(endpointId: string, graceHours = DEFAULT_GRACE_HOURS): Promise<{ secret: string; previousSecretExpiresAt: Date | null }> {
    if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > MAX_GRACE_HOURS) {
      throw new InvalidInputError(`the grace period must be whole hours from 0 to ${MAX_GRACE_HOURS}`);
    }
    this.requireCipher();
    const endpoint = await this.requireEndpoint(endpointId);
    const secret = generateSigningSecret();
    // Whole seconds, as every time the CLI prints.
    const previousSecretExpiresAt = graceHours === 0 ? null : new Date(Math.ceil(this.clock.now() / 1000) * 1000 + graceHours * 3_600_000);
    await this.endpoints.update(
      { endpointId },
      {
        secretCiphertext: this.cipher.encrypt(endpointId, secret),
        previousSecretCiphertext: previousSecretExpiresAt === null ? null : endpoint.secretCiphertext,
        previousSecretExpiresAt,
      },
    );
    return { secret, previousSecretExpiresAt };
  }

  /**
   * `webhooks rekey`: every stored signing secret (and previous secret of a rotation) that is
   * under `WEBHOOK_SECRET_KEY_PREVIOUS`, encrypted again under `WEBHOOK_SECRET_KEY`, in one
   * transaction. A secret that decrypts under neither key is refused by name, and nothing changes.
   */
  async rekey(): Promise<{ reencrypted: number; alreadyCurrent: number }> {
    this.requireCipher();
    return this.endpoints.manager.transaction(async (manager) => {
      const endpoints = await manager.find(WebhookEndpointEntity, { order: { endpointId: 'ASC' }, lock: { mode: 'pessimistic_write' } });
      let reencrypted = 0;
      let alreadyCurrent = 0;
      for (const endpoint of endpoints) {
        const again = (stored: string | null): string | null => {
          if (stored === null) return null;
          let next: string | null;
          try {
            next = this.cipher.reencrypt(endpoint.endpointId, stored);
          } catch {
            throw new InvalidInputError(
              `the signing secret of webhook endpoint ${endpoint.endpointId} decrypts under neither WEBHOOK_SECRET_KEY nor WEBHOOK_SECRET_KEY_PREVIOUS; nothing was changed`,
            );
          }
          if (next === null) alreadyCurrent += 1;
          else reencrypted += 1;
          return next;
        };
        const secretCiphertext = again(endpoint.secretCiphertext);
        const previousSecretCiphertext = again(endpoint.previousSecretCiphertext);
        if (secretCiphertext === null && previousSecretCiphertext === null) continue;
        await manager.update(
          WebhookEndpointEntity,
          { endpointId: endpoint.endpointId },
          {
            ...(secretCiphertext !== null && { secretCiphertext }),
            ...(previousSecretCiphertext !== null && { previousSecretCiphertext }),
          },
        );
      }
      return { reencrypted, alreadyCurrent };
    });
  }

  /** The secrets that sign a delivery now: the current one, then the previous one during its grace period. */
  signingSecretsOf(endpoint: WebhookEndpointEntity): string[] {
    const secrets = [this.cipher.decrypt(endpoint.endpointId, endpoint.secretCiphertext)];
    if (endpoint.previousSecretCiphertext !== null && isInGracePeriod(endpoint.previousSecretExpiresAt, this.clock.now())) {
      secrets.push(this.cipher.decrypt(endpoint.endpointId, endpoint.previousSecretCiphertext));
    }
    return secrets;
  }

  async requireEndpoint(endpointId: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.endpoints.findOneBy({ endpointId });
    if (endpoint === null) throw new InvalidInputError(`unknown webhook endpoint ${quoted(endpointId)}`);
    return endpoint;
  }

  private requireCipher(): void {
    if (!this.cipher.available) {
      throw new InvalidInputError('WEBHOOK_SECRET_KEY is not set: webhook endpoints cannot be created (docs/operations.md)');
    }
  }
}

function knownEventTypes(events: readonly string[]): WebhookEventType[] {
  const known = `(known: ${WEBHOOK_EVENT_TYPES.join(', ')})`;
  if (events.length === 0) throw new InvalidInputError(`at least one event type is required ${known}`);
  const unknown = events.find((event) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event));
  if (unknown !== undefined) throw new InvalidInputError(`unknown event type ${quoted(unknown)} ${known}`);
  return [...new Set(events as WebhookEventType[])];
}

/** Whether a previous secret that expires at `expiresAt` still signs at `now`. */
function isInGracePeriod(expiresAt: Date | null, now: number): expiresAt is Date {
  return expiresAt !== null && expiresAt.getTime() > now;
}
