import 'reflect-metadata'; // the decorators below need it, wherever this file is loaded from
import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsString, ValidateNested } from 'class-validator';

/** A turn of a transcript as written in (fixture files, `transcripts put`). */
export class TranscriptTurnInput {
  @IsString() speaker: string;
  @IsNumber({ allowNaN: false, allowInfinity: false }) start: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) end: number;
  @IsString() text: string;
}

/** A transcript as written in: `{ "provider", "turns": [...] }`, and nothing else. */
export class TranscriptInput {
  @IsString() provider: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => TranscriptTurnInput) turns: TranscriptTurnInput[];
}
