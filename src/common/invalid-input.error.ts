/**
 * Input a service refuses (an unknown id, a value it cannot take), thrown before it changes
 * anything. The message is for people and names what is wrong; callers decide how to show it.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** A value as it appears in a message: quoted, and escaped so the message stays one line. */
export function quoted(value: string): string {
  return JSON.stringify(value);
}
