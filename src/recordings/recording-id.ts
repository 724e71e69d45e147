import { randomBytes } from 'node:crypto';

/** `rec_` and 144 random bits: names nothing, and cannot be guessed from another recording's. */
export function newRecordingId(): string {
  return `rec_${randomBytes(18).toString('base64url')}`;
}

const RECORDING_ID = /^rec_[A-Za-z0-9_-]{24}$/;

/** Only ids of this form name a stored object: no path separator, dot segment or newline can get through. */
export function isRecordingId(value: string): boolean {
  return RECORDING_ID.test(value);
}
