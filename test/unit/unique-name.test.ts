import { checkUniqueName, uniqueKey } from '../../lambda/scim/unique-name';
import casefold from '../fixtures/unique-name/casefold.json';
import names from '../fixtures/unique-name/names.json';
import { thrown } from '../support/scim-error';

const show = (s: string) => JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('uniqueKey: when two unique names are one', () => {
  test.each(names.pairs.map((p) => [`${show(p.a)} and ${show(p.b)}: ${p.same ? 'one name' : 'two names'}${'why' in p ? ` (${p.why})` : ''}`, p] as const))('%s', (_, p) => {
    expect(uniqueKey(p.a) === uniqueKey(p.b)).toBe(p.same);
  });

  test('printable ASCII keeps the key it had before (toLowerCase), so existing guards stay where they are', () => {
    for (let code = 0x20; code < 0x7f; code++) {
      const s = `User${String.fromCharCode(code)}Name`;
      expect(uniqueKey(s)).toBe(s.toLowerCase());
    }
  });

  test("agrees with Python's full case folding on every code point it folds (casefold.json)", () => {
    // Each character is one name with its case fold...
    const mismatches = (casefold.folds as [number, string][]).filter(([cp, fold]) => uniqueKey(String.fromCodePoint(cp)) !== uniqueKey(fold));
    expect(mismatches).toEqual([]);
    // ...and no two characters with different folds are one name.
    const foldOfKey = new Map<string, string>();
    const merged: string[] = [];
    for (const [cp, fold] of casefold.folds as [number, string][]) {
      for (const [text, expected] of [[String.fromCodePoint(cp), fold], [fold, fold]]) {
        const key = uniqueKey(text);
        const earlier = foldOfKey.get(key);
        if (earlier !== undefined && earlier !== expected) merged.push(`${show(text)} joins ${show(earlier)}`);
        foldOfKey.set(key, expected);
      }
    }
    expect(merged).toEqual([]);
    expect(casefold.folds.length).toBeGreaterThan(2000);
  });
});

describe('checkUniqueName: names that cannot be shown apart are refused', () => {
  test.each(names.names.map((n) => [`${show(n.value)}: ${n.refused ? 'refused' : 'accepted'} (${n.why})`, n] as const))('%s', (_, n) => {
    if (n.refused) {
      const error = thrown(() => checkUniqueName(n.value, 'userName'));
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
      // The character is named by its code point; the raw control never goes back.
      expect(error.detail).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    } else {
      expect(() => checkUniqueName(n.value, 'userName')).not.toThrow();
    }
  });

  test('the detail names the code point', () => {
    expect(thrown(() => checkUniqueName('admin\u202egnp.exe', 'userName')).detail).toBe('"userName" contains a bidi control character (U+202E); it must be plain text.');
    expect(thrown(() => checkUniqueName('a\u0000', 'displayName')).detail).toBe('"displayName" contains a control character (U+0000); it must be plain text.');
  });
});
