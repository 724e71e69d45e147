import { Injectable } from '@nestjs/common';
import { CommandRunner, SubCommand } from 'nest-commander';
import { ApiKeysService } from '../auth/api-keys.service';
import type { ApiKeyStatus } from '../auth/api-key-types';
import { CliDatabase } from './cli-database';
import { noExtraArguments } from './cli-input';
import { CliOutput } from './cli-output';

/** `keys revoke|disable|enable KEY_ID`: one status change, checked by ApiKeysService. */
@Injectable() // for the constructor's parameter types, which the subclasses inherit
abstract class KeyStatusCommand extends CommandRunner {
  protected abstract readonly status: ApiKeyStatus;
  protected abstract readonly verb: string;
  protected readonly note: string = '';

  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly keys: ApiKeysService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 1);
    const [keyId] = args;
    await this.database.open();
    const change = await this.keys.changeStatus(keyId, this.status);
    this.output.line(`${this.verb} key ${change.keyId} of ${change.organizationId} (was ${change.from})${this.note}.`);
  }
}

@SubCommand({ name: 'revoke', arguments: '<key_id>', description: 'Revoke a key for good (401 revoked_key)' })
export class KeysRevokeCommand extends KeyStatusCommand {
  protected readonly status = 'revoked';
  protected readonly verb = 'Revoked';
  protected override readonly note = '; revocation is permanent';
}

@SubCommand({ name: 'disable', arguments: '<key_id>', description: 'Disable a key until it is enabled again (401 disabled_key)' })
export class KeysDisableCommand extends KeyStatusCommand {
  protected readonly status = 'disabled';
  protected readonly verb = 'Disabled';
}

@SubCommand({ name: 'enable', arguments: '<key_id>', description: 'Enable a disabled key' })
export class KeysEnableCommand extends KeyStatusCommand {
  protected readonly status = 'active';
  protected readonly verb = 'Enabled';
}
