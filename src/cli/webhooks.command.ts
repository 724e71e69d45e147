import { Injectable } from '@nestjs/common';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { toApiTimestamp } from '../common/api-timestamp';
import { WebhookEndpointsService, type WebhookEndpointSummary } from '../webhooks/webhook-endpoints.service';
import type { WebhookEndpointStatus } from '../webhooks/webhook-types';
import { CliDatabase } from './cli-database';
import { commandGroupHelp, listOption, noExtraArguments, requiredArgument, requiredOption, wholeNumber } from './cli-input';
import { CliOutput } from './cli-output';
import { formatTable } from './format-table';
import { WebhooksDeliveriesCommand, WebhooksDispatchCommand, WebhooksRedeliverCommand, WebhooksReplayCommand } from './webhook-deliveries.command';

@SubCommand({ name: 'create', description: "Register a partner organization's endpoint; its signing secret is printed this once only" })
export class WebhooksCreateCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly endpoints: WebhookEndpointsService,
  ) {
    super();
  }

  async run(args: string[], options: { org?: string; url?: string; events?: string }): Promise<void> {
    noExtraArguments(args, 0);
    const organizationId = requiredOption(options.org, '--org');
    const url = requiredOption(options.url, '--url');
    await this.database.open();
    const events = options.events === undefined ? undefined : listOption(options.events);
    const { endpointId, secret } = await this.endpoints.create({ organizationId, url, events });
    this.output.line(`Created webhook endpoint ${endpointId} for ${organizationId}.`);
    this.output.line(`Signing secret, shown this once only and never again (give it to the partner now): ${secret}`);
  }

  @Option({ flags: '--org <id>', description: 'Partner organization the endpoint belongs to' })
  parseOrg(value: string): string {
    return value;
  }

  @Option({ flags: '--url <url>', description: 'Where events are POSTed: https and public unless WEBHOOK_ALLOW_PRIVATE_TARGETS' })
  parseUrl(value: string): string {
    return value;
  }

  @Option({ flags: '--events <types>', description: 'Comma-separated event types (default: recording.transcript_ready)' })
  parseEvents(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'list', description: "An organization's endpoints (never their secrets)" })
export class WebhooksListCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly endpoints: WebhookEndpointsService,
  ) {
    super();
  }

  async run(args: string[], options: { org?: string }): Promise<void> {
    noExtraArguments(args, 0);
    const organizationId = requiredOption(options.org, '--org');
    await this.database.open();
    this.output.line(formatTable([ENDPOINT_LIST_HEADER, ...(await this.endpoints.list(organizationId)).map(endpointListRow)]));
  }

  @Option({ flags: '--org <id>', description: 'Organization whose endpoints to list' })
  parseOrg(value: string): string {
    return value;
  }
}

const ENDPOINT_LIST_HEADER = ['ENDPOINT_ID', 'STATUS', 'EVENTS', 'PENDING', 'FAILED', 'PREVIOUS_SECRET_UNTIL', 'CREATED_AT', 'URL'];

function endpointListRow(endpoint: WebhookEndpointSummary): string[] {
  return [
    endpoint.endpointId,
    endpoint.status,
    endpoint.events.join(','),
    String(endpoint.pendingDeliveries),
    String(endpoint.failedDeliveries),
    endpoint.previousSecretExpiresAt === null ? '-' : toApiTimestamp(endpoint.previousSecretExpiresAt),
    toApiTimestamp(endpoint.createdAt),
    endpoint.url,
  ];
}

/** `webhooks disable|enable ENDPOINT_ID`. */
@Injectable() // for the constructor's parameter types, which the subclasses inherit
abstract class WebhookEndpointStatusCommand extends CommandRunner {
  protected abstract readonly status: WebhookEndpointStatus;
  protected abstract readonly effect: string;

  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly endpoints: WebhookEndpointsService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const endpointId = requiredArgument(args[0], 'an endpoint id');
    await this.database.open();
    const { changed } = await this.endpoints.setStatus(endpointId, this.status);
    this.output.line(changed ? `Webhook endpoint ${endpointId} is now ${this.status}: ${this.effect}.` : `Webhook endpoint ${endpointId} was already ${this.status}.`);
  }
}

@SubCommand({ name: 'disable', arguments: '<endpoint_id>', description: 'Stop sending to an endpoint; its pending deliveries wait' })
export class WebhooksDisableCommand extends WebhookEndpointStatusCommand {
  protected readonly status = 'disabled';
  protected readonly effect = 'nothing is sent to it, and its pending deliveries wait until it is enabled';
}

@SubCommand({ name: 'enable', arguments: '<endpoint_id>', description: 'Send to an endpoint again, starting with its pending deliveries' })
export class WebhooksEnableCommand extends WebhookEndpointStatusCommand {
  protected readonly status = 'enabled';
  protected readonly effect = 'its pending deliveries go out, and new events are queued for it (replay those it missed)';
}

@SubCommand({ name: 'delete', arguments: '<endpoint_id>', description: 'Remove an endpoint with its deliveries' })
export class WebhooksDeleteCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly endpoints: WebhookEndpointsService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const endpointId = requiredArgument(args[0], 'an endpoint id');
    await this.database.open();
    await this.endpoints.delete(endpointId);
    this.output.line(`Deleted webhook endpoint ${endpointId} and its deliveries.`);
  }
}

@SubCommand({ name: 'rotate-secret', arguments: '<endpoint_id>', description: 'A new signing secret, printed once; the old one also signs during the grace period' })
export class WebhooksRotateSecretCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly endpoints: WebhookEndpointsService,
  ) {
    super();
  }

  async run(args: string[], options: { graceHours?: string }): Promise<void> {
    noExtraArguments(args, 1);
    const endpointId = requiredArgument(args[0], 'an endpoint id');
    const graceHours = options.graceHours === undefined ? undefined : wholeNumber(options.graceHours, '--grace-hours');
    await this.database.open();
    const { secret, previousSecretExpiresAt } = await this.endpoints.rotateSecret(endpointId, graceHours);
    const grace =
      previousSecretExpiresAt === null
        ? 'The previous secret no longer signs.'
        : `Deliveries are signed with both secrets (v1=<new> v1=<old>) until ${toApiTimestamp(previousSecretExpiresAt)}.`;
    this.output.line(`Rotated the signing secret of webhook endpoint ${endpointId}. ${grace}`);
    this.output.line(`New signing secret, shown this once only and never again: ${secret}`);
  }

  @Option({ flags: '--grace-hours <hours>', description: 'How long the previous secret keeps signing, 0-720 (default: 24)' })
  parseGraceHours(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'rekey', description: 'Re-encrypt every stored signing secret under WEBHOOK_SECRET_KEY (after a change of key)' })
export class WebhooksRekeyCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly endpoints: WebhookEndpointsService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 0);
    await this.database.open();
    const { reencrypted, alreadyCurrent } = await this.endpoints.rekey();
    this.output.line(
      `Re-encrypted ${reencrypted} signing secret(s) under WEBHOOK_SECRET_KEY; ${alreadyCurrent} already were. ` +
        'None is left under WEBHOOK_SECRET_KEY_PREVIOUS: it can be removed.',
    );
  }
}

@Command({
  name: 'webhooks',
  description: 'Webhook endpoints and deliveries',
  subCommands: [
    WebhooksCreateCommand,
    WebhooksListCommand,
    WebhooksDisableCommand,
    WebhooksEnableCommand,
    WebhooksDeleteCommand,
    WebhooksRotateSecretCommand,
    WebhooksRekeyCommand,
    WebhooksDeliveriesCommand,
    WebhooksRedeliverCommand,
    WebhooksReplayCommand,
    WebhooksDispatchCommand,
  ],
})
export class WebhooksCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
