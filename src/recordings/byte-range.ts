/** One range of bytes of a representation, both ends included. */
export interface ByteRange {
  start: number;
  end: number;
}

const SINGLE_BYTE_RANGE = /^bytes=[ \t]*(?:(\d+)-(\d*)|-(\d+))[ \t]*$/i;

/**
 * What a `Range` header asks of a representation of `size` bytes, as RFC 9110 §14 has it:
 * - `bytes=a-b` (`b` cut at the end), `bytes=a-`, `bytes=-n` (the last n bytes; the whole
 *   representation when n is larger): that range;
 * - one that starts at or past the end (or `-0`): `'unsatisfiable'` (416);
 * - anything the server may ignore: `null`, and the whole representation is sent (200):
 *   a header that is not a valid byte range (`bytes=5-2`, another unit, malformed), or
 *   several ranges (RFC 9110 §14.2 lets a server answer those with the whole representation
 *   rather than `multipart/byteranges`, which no audio client asks for).
 */
export function parseByteRange(header: string, size: number): ByteRange | 'unsatisfiable' | null {
  const match = SINGLE_BYTE_RANGE.exec(header);
  if (!match) return null;
  const [, first, last, suffix] = match;
  if (suffix !== undefined) {
    const length = Number(suffix);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
