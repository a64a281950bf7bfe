import { TokenCache } from '../../../lambda/scim/filter/token-cache';

describe('TokenCache', () => {
  test('finds a token by its place in the text, not by a substring', () => {
    const cache = new TokenCache<number>(10);
    const text = 'userName eq "a" and title pr';
    expect(cache.find(text, 0, 8)).toBeUndefined();
    expect(cache.set('userName', 1)).toBe(1);
    expect(cache.find(text, 0, 8)).toBe(1);
    expect(cache.find('x username', 2, 10)).toBeUndefined(); // keys are exact text, case included
    expect(cache.find(text, 20, 25)).toBeUndefined(); // "title": same cache, other key
  });

  test('keys beyond the recent ones of their length are still found, and the whole stays bounded', () => {
    const cache = new TokenCache<number>(20);
    for (let i = 0; i < 20; i++) cache.set(`k${String(i).padStart(2, '0')}`, i);
    // 20 keys of one length: the first ones are no longer among the recent but still cached.
    expect(cache.find('k00', 0, 3)).toBe(0);
    expect(cache.find('k19', 0, 3)).toBe(19);
    cache.set('k20', 20);
    expect(cache.find('k01', 0, 3)).toBe(1); // found among the recent once found again
    cache.set('k21', 21);
    cache.set('k22', 22);
    expect(cache.find('k02', 0, 3)).toBeUndefined(); // dropped: the bounded cache holds 20
  });
});
