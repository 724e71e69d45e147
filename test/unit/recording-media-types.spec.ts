import { audioMediaTypeOfFile, fileExtensionOf, inlineContentDisposition, isAudioMediaType } from '../../src/recordings/recording-media-types';

describe('recording media types', () => {
  it.each([
    ['visit.wav', 'audio/wav'],
    ['VISIT.WAV', 'audio/wav'],
    ['a/b/visit.mp3', 'audio/mpeg'],
    ['visit.m4a', 'audio/mp4'],
    ['visit.flac', 'audio/flac'],
    ['visit.txt', undefined],
    ['visit', undefined],
  ])('%s is %s by its extension', (file, type) => {
    expect(audioMediaTypeOfFile(file)).toBe(type);
  });

  it.each([
    ['audio/wav', true],
    ['audio/x-m4a', true],
    ['audio/vnd.wave', true],
    ['Audio/wav', false],
    ['audio/wav; codecs=1', false],
    ['audio/', false],
    ['video/mp4', false],
    ['audio/wav\r\nX-Injected: 1', false],
  ])('%j is an audio media type to store and serve: %s', (type, expected) => {
    expect(isAudioMediaType(type)).toBe(expected);
  });

  it.each([
    ['audio/wav', 'wav'],
    ['audio/mpeg', 'mp3'],
    ['audio/x-aiff', 'aiff'],
    ['audio/vnd.dlna.adts', 'adts'],
    ['audio/vnd.wave', 'wave'],
    ['audio/x-custom+xml', 'custom'],
  ])('%s is served as .%s', (type, extension) => {
    expect(fileExtensionOf(type)).toBe(extension);
  });

  it('names the file inline, quoted, as <document_id>.<ext>', () => {
    expect(inlineContentDisposition('doc_Ambient1', 'audio/wav')).toBe('inline; filename="doc_Ambient1.wav"');
  });

  it('keeps a header that cannot break for an id the quoted form cannot carry, with the exact name in filename*', () => {
    expect(inlineContentDisposition('doc_"x"\\é', 'audio/mpeg')).toBe(`inline; filename="doc__x___.mp3"; filename*=UTF-8''doc_%22x%22%5C%C3%A9.mp3`);
    expect(inlineContentDisposition('doc\r\nX-Injected: 1', 'audio/wav')).toBe(`inline; filename="doc__X-Injected: 1.wav"; filename*=UTF-8''doc%0D%0AX-Injected%3A%201.wav`);
  });
});
