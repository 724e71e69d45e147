import { displayPrefixOf, isWellFormedToken, newApiKeyId, newApiKeyToken } from '../../src/auth/api-key-token';

describe('newApiKeyToken / newApiKeyId', () => {
  const tokens = Array.from({ length: 2_000 }, newApiKeyToken);

  it('issues well-formed live tokens: ch_sk_ and 32 characters of [A-Za-z0-9]', () => {
    for (const token of tokens) {
      expect(token).toMatch(/^ch_sk_[A-Za-z0-9]{32}$/);
      expect(isWellFormedToken(token)).toBe(true);
    }
    expect(displayPrefixOf(tokens[0])).toBe(`${tokens[0].slice(0, 10)}…`);
  });

  it('never repeats itself and draws on the whole alphabet', () => {
    expect(new Set(tokens).size).toBe(tokens.length);
    // 64,000 draws from 62 characters: every one of them shows up (a miss has odds below 1e-400).
    expect(new Set(tokens.join('').replace(/ch_sk_/g, '')).size).toBe(62);
  });

  it('issues key ids key_ and 16 characters of [A-Za-z0-9]', () => {
    const ids = Array.from({ length: 100 }, newApiKeyId);
    for (const id of ids) expect(id).toMatch(/^key_[A-Za-z0-9]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
