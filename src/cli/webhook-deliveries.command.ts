import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { once } from 'node:events';
import { toApiTimestamp } from '../common/api-timestamp';
import { quoted } from '../common/invalid-input.error';
import { parseRfc3339DateTime } from '../common/rfc3339';
import { WebhookDeliveriesService, type WebhookDeliverySummary } from '../webhooks/webhook-deliveries.service';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { CliDatabase } from './cli-database';
import { CliInputError } from './cli-error';
import { noExtraArguments, requiredArgument, requiredOption, wholeNumber } from './cli-input';
import { CliOutput } from './cli-output';
import { formatTable } from './format-table';

@SubCommand({ name: 'deliveries', description: "An organization's deliveries, newest first, with attempts, last result and next attempt" })
export class WebhooksDeliveriesCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly deliveries: WebhookDeliveriesService,
  ) {
    super();
  }

  async run(args: string[], options: { org?: string; status?: string; limit?: string }): Promise<void> {
    noExtraArguments(args, 0);
    const organizationId = requiredOption(options.org, '--org');
    const limit = options.limit === undefined ? undefined : wholeNumber(options.limit, '--limit');
    await this.database.open();
    const deliveries = await this.deliveries.list(organizationId, { status: options.status, limit });
    this.output.line(formatTable([DELIVERY_LIST_HEADER, ...deliveries.map(deliveryListRow)]));
  }

  @Option({ flags: '--org <id>', description: 'Organization whose deliveries to list' })
  parseOrg(value: string): string {
    return value;
  }

  @Option({ flags: '--status <status>', description: 'pending, delivered or failed (default: all)' })
  parseStatus(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'At most this many, 1-1000 (default: 50)' })
  parseLimit(value: string): string {
    return value;
  }
}

const DELIVERY_LIST_HEADER = ['DELIVERY_ID', 'EVENT_ID', 'TYPE', 'ENDPOINT_ID', 'STATUS', 'ATTEMPTS', 'LAST_RESULT', 'LAST_ATTEMPT_AT', 'NEXT_ATTEMPT_AT', 'CREATED_AT'];

function deliveryListRow(delivery: WebhookDeliverySummary): string[] {
  const time = (date: Date | null) => (date === null ? '-' : toApiTimestamp(date));
  return [
    delivery.deliveryId,
    delivery.eventId,
    delivery.eventType,
    delivery.endpointId,
    delivery.status,
    String(delivery.attempts),
    delivery.lastResult ?? '-',
    time(delivery.lastAttemptAt),
    time(delivery.nextAttemptAt),
    time(delivery.createdAt),
  ];
}

@SubCommand({ name: 'redeliver', arguments: '<delivery_id>', description: 'Queue one delivery again, due now, with a fresh retry schedule' })
export class WebhooksRedeliverCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly deliveries: WebhookDeliveriesService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const deliveryId = requiredArgument(args[0], 'a delivery id');
    await this.database.open();
    await this.deliveries.redeliver(deliveryId);
    this.output.line(`Queued delivery ${deliveryId} again: a dispatcher sends it within seconds.`);
  }
}

@SubCommand({ name: 'replay', description: "Queue every event of an endpoint's subscriptions since a time, including those from before it existed" })
export class WebhooksReplayCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly deliveries: WebhookDeliveriesService,
  ) {
    super();
  }

  async run(args: string[], options: { endpoint?: string; since?: string }): Promise<void> {
    noExtraArguments(args, 0);
    const endpointId = requiredOption(options.endpoint, '--endpoint');
    const rawSince = requiredOption(options.since, '--since');
    const since = parseRfc3339DateTime(rawSince);
    if (since === null) throw new CliInputError(`--since ${quoted(rawSince)} is not an RFC 3339 date-time with an offset, like 2026-05-25T00:00:00Z`);
    await this.database.open();
    const queued = await this.deliveries.replay(endpointId, since);
    this.output.line(`Queued ${queued} deliver${queued === 1 ? 'y' : 'ies'} to webhook endpoint ${endpointId} (events since ${toApiTimestamp(since)}).`);
  }

  @Option({ flags: '--endpoint <id>', description: 'The endpoint to send the events to' })
  parseEndpoint(value: string): string {
    return value;
  }

  @Option({ flags: '--since <time>', description: 'RFC 3339 date-time with an offset: events that occurred at or after it' })
  parseSince(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'dispatch', description: 'Run a dispatcher only (no HTTP) until SIGINT or SIGTERM, then settle the attempts in flight' })
export class WebhooksDispatchCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly dispatcher: WebhookDispatcher,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 0);
    await this.database.open();
    if (!this.dispatcher.start()) throw new CliInputError('WEBHOOK_SECRET_KEY is not set: nothing can be dispatched.');
    this.output.line('Dispatching webhook deliveries. SIGINT or SIGTERM stops after the attempts in flight.');
    const [signal] = (await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])) as [NodeJS.Signals];
    this.output.line(`${signal}: settling the attempts in flight.`);
    await this.dispatcher.stop();
    this.output.line('Stopped.');
  }
}
