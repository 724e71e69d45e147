import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import type { DisclosedItem } from '../audit/disclosure';
import { PhiAccessQueries, type PatientDisclosureView, type PhiAccessRecordView, type TimeRange } from '../audit/phi-access-queries';
import { toApiTimestamp } from '../common/api-timestamp';
import { quoted } from '../common/invalid-input.error';
import { parseRfc3339DateTime } from '../common/rfc3339';
import { OrganizationsService } from '../organizations/organizations.service';
import { CliDatabase } from './cli-database';
import { CliInputError } from './cli-error';
import { commandGroupHelp, noExtraArguments, requiredArgument, requiredOption } from './cli-input';
import { CliOutput } from './cli-output';
import { parseOutputFormat, RecordOutput, type Column } from './record-output';

interface AuditOptions {
  org?: string;
  since?: string;
  until?: string;
  format?: string;
}

/** The options both audit commands take: a time range and an output format. */
abstract class AuditCommand extends CommandRunner {
  @Option({ flags: '--since <time>', description: 'RFC 3339 date-time with an offset: records at or after it (default: the first)' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--until <time>', description: 'RFC 3339 date-time with an offset: records before it (default: now)' })
  parseUntil(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: 'table (default), jsonl or csv' })
  parseFormat(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'list', description: "The PHI access records of an organization's keys, oldest first" })
export class AuditListCommand extends AuditCommand {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly organizations: OrganizationsService,
    private readonly queries: PhiAccessQueries,
  ) {
    super();
  }

  async run(args: string[], options: AuditOptions): Promise<void> {
    noExtraArguments(args, 0);
    const organizationId = requiredOption(options.org, '--org');
    const range = parseRange(options);
    const records = new RecordOutput(parseOutputFormat(options.format), RECORD_COLUMNS, recordJson, this.output.stdout);
    await this.database.open();
    await this.organizations.requireExisting(organizationId);
    records.start();
    for await (const batch of this.queries.byOrganization(organizationId, range)) records.rows(batch);
    records.end();
  }

  @Option({ flags: '--org <id>', description: 'Organization whose keys’ records to list' })
  parseOrg(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'patient',
  arguments: '<patient_id>',
  description: "Every disclosure of one patient's data: when, to which partner organization and key, through which route, what",
})
export class AuditPatientCommand extends AuditCommand {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly queries: PhiAccessQueries,
  ) {
    super();
  }

  async run(args: string[], options: AuditOptions): Promise<void> {
    noExtraArguments(args, 1);
    // Not checked against the patients table: the accounting outlives a patient's record.
    const patientId = requiredArgument(args[0], 'a patient id');
    const range = parseRange(options);
    const records = new RecordOutput(parseOutputFormat(options.format), DISCLOSURE_COLUMNS, disclosureJson, this.output.stdout);
    await this.database.open();
    records.start();
    for await (const batch of this.queries.byPatient(patientId, range)) records.rows(batch);
    records.end();
  }
}

@Command({ name: 'audit', description: 'The PHI access audit: who saw which patient', subCommands: [AuditListCommand, AuditPatientCommand] })
export class AuditCommandGroup extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}

function parseRange(options: AuditOptions): TimeRange {
  const time = (raw: string | undefined, flags: string): Date | undefined => {
    if (raw === undefined) return undefined;
    const parsed = parseRfc3339DateTime(raw);
    if (parsed === null) throw new CliInputError(`${flags} ${quoted(raw)} is not an RFC 3339 date-time with an offset, like 2026-05-25T00:00:00Z`);
    return parsed;
  };
  const since = time(options.since, '--since');
  const until = time(options.until, '--until');
  if (since && until && since.getTime() >= until.getTime()) throw new CliInputError('--since must be before --until');
  return { since, until };
}

/** What a record disclosed, on one line: `enc_1 (patient pat_1; documents doc_1 doc_2; recording rec_…)`, items separated by ` | `. */
function describeDisclosed(items: readonly DisclosedItem[]): string {
  if (items.length === 0) return '-';
  return items
    .map((item) => {
      const parts = [`patient ${item.patient_id}`];
      if (item.document_ids.length > 0) parts.push(`documents ${item.document_ids.join(' ')}`);
      if (item.recording_id !== undefined) parts.push(`recording ${item.recording_id}`);
      return `${item.encounter_id} (${parts.join('; ')})`;
    })
    .join(' | ');
}

const RECORD_COLUMNS: Column<PhiAccessRecordView>[] = [
  { header: 'OCCURRED_AT', cell: (row) => toApiTimestamp(row.occurred_at) },
  { header: 'REQUEST_ID', cell: (row) => row.request_id },
  { header: 'KEY_ID', cell: (row) => row.key_id },
  { header: 'ROUTE', cell: (row) => row.route_id },
  { header: 'STATUS', cell: (row) => String(row.status) },
  { header: 'REASON_CODE', cell: (row) => row.reason_code ?? '-' },
  { header: 'CLIENT_ADDRESS', cell: (row) => row.client_address ?? '-' },
  { header: 'USER_AGENT', cell: (row) => row.user_agent ?? '-' },
  { header: 'DISCLOSED', cell: (row) => describeDisclosed(row.disclosed) },
];

function recordJson(row: PhiAccessRecordView): object {
  return {
    occurred_at: toApiTimestamp(row.occurred_at),
    request_id: row.request_id,
    organization_id: row.organization_id,
    key_id: row.key_id,
    route_id: row.route_id,
    status: row.status,
    reason_code: row.reason_code,
    client_address: row.client_address,
    user_agent: row.user_agent,
    disclosed: row.disclosed,
  };
}

const DISCLOSURE_COLUMNS: Column<PatientDisclosureView>[] = [
  { header: 'OCCURRED_AT', cell: (row) => toApiTimestamp(row.occurred_at) },
  { header: 'ORGANIZATION_ID', cell: (row) => row.organization_id },
  { header: 'ORGANIZATION_NAME', cell: (row) => row.organization_name ?? '-' },
  { header: 'KEY_ID', cell: (row) => row.key_id },
  { header: 'ROUTE', cell: (row) => row.route_id },
  { header: 'REQUEST_ID', cell: (row) => row.request_id },
  { header: 'DISCLOSED', cell: (row) => describeDisclosed(row.disclosed) },
];

function disclosureJson(row: PatientDisclosureView): object {
  return {
    occurred_at: toApiTimestamp(row.occurred_at),
    organization_id: row.organization_id,
    organization_name: row.organization_name,
    key_id: row.key_id,
    route_id: row.route_id,
    request_id: row.request_id,
    disclosed: row.disclosed,
  };
}
