import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { audioMediaTypeOfFile, isAudioMediaType } from './recording-media-types';
import type { RecordingFile } from './recording-store';

/** A recording to store: a checked file and its media type. */
export interface RecordingUpload {
  file: RecordingFile;
  contentType: string;
}

/**
 * Checks a file before anything is stored: a non-empty regular file, with an `audio/…` media
 * type given or known from its extension.
 * @throws InvalidInputError naming what is wrong.
 */
export async function checkRecordingUpload(path: string, contentType?: string): Promise<RecordingUpload> {
  const type = contentType ?? audioMediaTypeOfFile(path);
  if (type === undefined) {
    throw new InvalidInputError(`cannot tell the media type of ${quoted(path)} from its extension: give the content type (audio/wav, audio/mpeg…)`);
  }
  if (!isAudioMediaType(type)) throw new InvalidInputError(`content type ${quoted(type)} is not an audio media type like audio/wav`);
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new InvalidInputError(`${quoted(path)} is not a regular file`);
    size = stats.size;
    await access(path, constants.R_OK);
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`cannot read ${quoted(path)}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
  if (size === 0) throw new InvalidInputError(`${quoted(path)} is empty`);
  return { file: { path, size }, contentType: type };
}
