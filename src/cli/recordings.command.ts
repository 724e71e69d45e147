import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { RecordingsService } from '../recordings/recordings.service';
import { CliDatabase } from './cli-database';
import { CliInputError } from './cli-error';
import { commandGroupHelp, noExtraArguments } from './cli-input';
import { CliOutput } from './cli-output';

@SubCommand({
  name: 'put',
  arguments: '<document_id> <file>',
  description: 'Store a recording for an ambient_transcript document, replacing the one it had',
})
export class RecordingsPutCommand extends CommandRunner {
  constructor(
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
    private readonly recordings: RecordingsService,
  ) {
    super();
  }

  async run(args: string[], options: { contentType?: string }): Promise<void> {
    noExtraArguments(args, 2);
    const [documentId, file] = args;
    await this.database.open();
    const stored = await this.recordings.put(documentId, file, options.contentType);
    const replaced = stored.replacedRecordingId ? `, replacing ${stored.replacedRecordingId}` : '';
    this.output.line(`Stored ${file} (${stored.contentType}, ${stored.size} bytes) as recording ${stored.recordingId} of document ${documentId}${replaced}.`);
  }

  @Option({ flags: '--content-type <type>', description: 'audio/wav, audio/mpeg… (default: from the file extension)' })
  parseContentType(value: string): string {
    if (value.trim() === '') throw new CliInputError('--content-type must not be empty');
    return value;
  }
}

@Command({ name: 'recordings', description: 'Recordings of ambient transcripts', subCommands: [RecordingsPutCommand] })
export class RecordingsCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    commandGroupHelp(this.command, args);
  }
}
