import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { TranscriptsService } from '../encounters/transcripts.service';
import { CliDatabase } from './cli-database';
import { commandGroupHelp, noExtraArguments } from './cli-input';
import { CliOutput } from './cli-output';

@SubCommand({
  name: 'put',
  arguments: '<document_id> <file>',
  description: 'Set an ambient_transcript document\'s transcript from a JSON file { "provider", "turns" }',
})
export class TranscriptsPutCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly transcripts: TranscriptsService,
  ) {
    super();
  }

  async run(args: string[]): Promise<void> {
    noExtraArguments(args, 2);
    const [documentId, file] = args;
    await this.database.open();
    const written = await this.transcripts.putFromFile(documentId, file);
    const previous = written.replaced ? 'replacing the one it had' : 'its first';
    const event = written.eventRecorded ? ' recording.transcript_ready recorded.' : ' No event (a replaced transcript, or a demo or training encounter).';
    this.output.line(`Set the transcript of document ${documentId} (${written.turns} turns), ${previous}.${event}`);
  }
}

@Command({ name: 'transcripts', description: 'Transcripts of ambient transcripts', subCommands: [TranscriptsPutCommand] })
export class TranscriptsCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
