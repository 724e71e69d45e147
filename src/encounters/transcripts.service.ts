import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { firstValidationProblem } from '../common/validation-problem';
import { TranscriptInput } from './dto/transcript-input';
import { DocumentEntity } from './entities/document.entity';
import { EncounterEntity } from './entities/encounter.entity';
import type { StoredTranscript } from './encounter-types';
import { isListed } from './listed-encounter';

export interface TranscriptWritten {
  documentId: string;
  turns: number;
  /** The document had a transcript already. */
  replaced: boolean;
  /** `recording.transcript_ready` was recorded: the document had none, and its encounter is clinical. */
  eventRecorded: boolean;
}

/**
 * `transcripts put`: what the recording pipeline does when transcription finishes. The event
 * partners hear of is recorded by the database in the same transaction (migration
 * WebhookEvents), as for any other writer of transcripts.
 */
@Injectable()
export class TranscriptsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Sets an `ambient_transcript` document's transcript from a JSON file `{ "provider", "turns" }`.
   * @throws InvalidInputError, before anything is written, for an unreadable or invalid file,
   *   an unknown document or another document type.
   */
  async putFromFile(documentId: string, path: string): Promise<TranscriptWritten> {
    const transcript = await readTranscript(path);
    return this.dataSource.transaction(async (manager) => {
      const document = await manager.findOne(DocumentEntity, {
        select: { documentId: true, encounterId: true, schemaType: true, transcript: true },
        where: { documentId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!document) throw new InvalidInputError(`unknown document ${quoted(documentId)}`);
      if (document.schemaType !== 'ambient_transcript') {
        throw new InvalidInputError(`document ${quoted(documentId)} has schema_type ${quoted(document.schemaType)}: only ambient_transcript documents have a transcript`);
      }
      await manager.update(DocumentEntity, { documentId }, { transcript, updatedAt: new Date() });
      const encounter = await manager.findOneOrFail(EncounterEntity, { select: { purpose: true }, where: { encounterId: document.encounterId } });
      const replaced = document.transcript !== null;
      return { documentId, turns: transcript.turns.length, replaced, eventRecorded: !replaced && isListed(encounter.purpose) };
    });
  }
}

async function readTranscript(path: string): Promise<StoredTranscript> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON: ${error.message}` : `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`;
    throw new InvalidInputError(`${quoted(path)} ${reason}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidInputError(`${quoted(path)} must hold a JSON object { "provider", "turns" }`);
  const input = plainToInstance(TranscriptInput, json);
  const invalid = firstValidationProblem(input);
  if (invalid) {
    const field = invalid.path.slice(0, -1).join('.');
    throw new InvalidInputError(`${quoted(path)}: ${field ? `${field}: ` : ''}${invalid.problem}`);
  }
  return { provider: input.provider, turns: input.turns.map(({ speaker, start, end, text }) => ({ speaker, start, end, text })) };
}
