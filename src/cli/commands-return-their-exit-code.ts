import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { type CommandRunner, InjectCommander } from 'nest-commander';

/** commander's Command, named through nest-commander: commander is only its dependency. */
type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/**
 * commander ends the process itself after a usage error, `--help` or a group's help; every
 * command is told to throw instead (its message is written first), so that `runCli` closes
 * the application and returns the exit code, the same in a test as in `npm run cli`.
 */
@Injectable()
export class CommandsReturnTheirExitCode implements OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly root: CommanderCommand) {}

  // After nest-commander has built the command tree (its onModuleInit).
  onApplicationBootstrap(): void {
    const visit = (command: CommanderCommand): void => {
      command.exitOverride();
      command.commands.forEach(visit);
    };
    visit(this.root);
  }
}
