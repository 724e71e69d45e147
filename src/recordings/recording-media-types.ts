import { extname } from 'node:path';

/**
 * The audio media types we know a file extension for, both ways: `recordings put` infers the
 * type from the file's extension, and a media response names its file `<document_id>.<ext>`.
 */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
};

/** `audio/<subtype>`, lower case, without parameters: what is stored and served as `Content-Type`. */
const AUDIO_MEDIA_TYPE = /^audio\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export function isAudioMediaType(value: string): boolean {
  return AUDIO_MEDIA_TYPE.test(value);
}

/** The media type of a file named `…wav`, `…mp3`…, or undefined for another extension. */
export function audioMediaTypeOfFile(path: string): string | undefined {
  const extension = extname(path).slice(1).toLowerCase();
  return Object.keys(EXTENSIONS).find((type) => EXTENSIONS[type] === extension);
}

/**
 * The file extension served for a stored media type; one without a known extension gets the
 * last part of its subtype: `audio/x-aiff` is `aiff`, `audio/vnd.dlna.adts` is `adts`.
 */
export function fileExtensionOf(mediaType: string): string {
  const known = EXTENSIONS[mediaType];
  if (known !== undefined) return known;
  const subtype = mediaType.slice('audio/'.length).replace(/^x-/, '').split('+')[0];
  return subtype.slice(subtype.lastIndexOf('.') + 1).replace(/[^a-z0-9]/g, '') || 'audio';
}

/**
 * `inline; filename="<document_id>.<ext>"` (docs/api.md "Audio URLs"). A document id the quoted form cannot
 * carry as is (a quote, a backslash, a character outside printable ASCII) gets a fallback name
 * with `_` in their place, and the exact name in RFC 6266's `filename*`.
 */
export function inlineContentDisposition(documentId: string, mediaType: string): string {
  const filename = `${documentId}.${fileExtensionOf(mediaType)}`;
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (fallback === filename) return `inline; filename="${filename}"`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
