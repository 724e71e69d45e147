import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { ApiKeySummary } from '../auth/api-key-summary';
import { ApiKeysService } from '../auth/api-keys.service';
import { toApiTimestamp } from '../common/api-timestamp';
import { quoted } from '../common/invalid-input.error';
import { parseRfc3339DateTime } from '../common/rfc3339';
import { CliDatabase } from './cli-database';
import { CliInputError } from './cli-error';
import { commandGroupHelp, listOption, noExtraArguments, requiredOption } from './cli-input';
import { CliOutput } from './cli-output';
import { formatTable } from './format-table';
import { KeysDisableCommand, KeysEnableCommand, KeysRevokeCommand } from './key-status.command';

interface KeysCreateOptions {
  org?: string;
  scopes?: string;
  expiresAt?: string;
  scopeType?: string;
}

@SubCommand({ name: 'create', description: 'Issue a key; its token is printed this once only' })
export class KeysCreateCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly keys: ApiKeysService,
  ) {
    super();
  }

  async run(args: string[], options: KeysCreateOptions): Promise<void> {
    noExtraArguments(args, 0);
    const organizationId = requiredOption(options.org, '--org');
    const scopes = listOption(requiredOption(options.scopes, '--scopes'));
    const expiresAt = options.expiresAt === undefined ? null : parseExpiry(options.expiresAt);
    await this.database.open();
    const { key, token } = await this.keys.issue({ organizationId, scopes, scopeType: options.scopeType ?? 'organization', expiresAt });
    this.output.line(`Created key ${key.keyId} for ${organizationId}. Token, shown this once only and never again (store it now): ${token}`);
  }

  @Option({ flags: '--org <id>', description: 'Organization the key belongs to' })
  parseOrg(value: string): string {
    return value;
  }

  @Option({ flags: '--scopes <scopes>', description: 'Comma-separated scopes, e.g. encounters:read,patients:read,documents:read' })
  parseScopes(value: string): string {
    return value;
  }

  @Option({ flags: '--expires-at <time>', description: 'RFC 3339 date-time with an offset, e.g. 2027-01-01T00:00:00Z (default: never)' })
  parseExpiresAt(value: string): string {
    return value;
  }

  @Option({ flags: '--scope-type <type>', description: 'organization (default), user or platform' })
  parseScopeType(value: string): string {
    return value;
  }
}

function parseExpiry(raw: string): Date {
  const expiresAt = parseRfc3339DateTime(raw);
  if (expiresAt === null) {
    throw new CliInputError(`--expires-at ${quoted(raw)} is not an RFC 3339 date-time with an offset, like 2027-01-01T00:00:00Z`);
  }
  return expiresAt;
}

@SubCommand({ name: 'list', description: "An organization's keys (never their tokens)" })
export class KeysListCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly keys: ApiKeysService,
  ) {
    super();
  }

  async run(args: string[], options: { org?: string }): Promise<void> {
    noExtraArguments(args, 0);
    const organizationId = requiredOption(options.org, '--org');
    await this.database.open();
    this.output.line(formatTable([KEY_LIST_HEADER, ...(await this.keys.listFor(organizationId)).map(keyListRow)]));
  }

  @Option({ flags: '--org <id>', description: 'Organization whose keys to list' })
  parseOrg(value: string): string {
    return value;
  }
}

const KEY_LIST_HEADER = ['KEY_ID', 'PREFIX', 'SCOPE_TYPE', 'SCOPES', 'STATUS', 'EXPIRES_AT', 'LAST_USED_AT', 'CREATED_AT', 'DIGEST_SECRET'];

function keyListRow(key: ApiKeySummary): string[] {
  const time = (date: Date | null) => (date === null ? '-' : toApiTimestamp(date));
  return [key.keyId, key.displayPrefix, key.scopeType, key.scopes.join(','), key.status, time(key.expiresAt), time(key.lastUsedAt), time(key.createdAt), key.digestSecret];
}

@Command({
  name: 'keys',
  description: 'API keys',
  subCommands: [KeysCreateCommand, KeysListCommand, KeysRevokeCommand, KeysDisableCommand, KeysEnableCommand],
})
export class KeysCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
