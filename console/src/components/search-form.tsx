import { useState } from 'preact/hooks';
import type { Search, SearchMode } from '../route';

/**
 * A search over one attribute (userName, displayName): starts with, equals, or a SCIM filter
 * typed as is, for anything else the endpoint supports.
 */
export function SearchForm({ attribute, search, onSearch }: { attribute: string; search: Search; onSearch: (search: Search) => void }) {
  const [text, setText] = useState(search.text);
  const [mode, setMode] = useState<SearchMode>(search.mode);
  const placeholder = mode === 'filter' ? `e.g. active eq false or ${attribute} co "smith"` : attribute;
  return (
    <form
      class="search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch({ text, mode });
      }}
    >
      <label>
        Match
        <select value={mode} onChange={(e) => setMode((e.currentTarget as HTMLSelectElement).value as SearchMode)}>
          <option value="startsWith">{attribute} starts with</option>
          <option value="equals">{attribute} equals</option>
          <option value="filter">SCIM filter</option>
        </select>
      </label>
      <label class="grow">
        Search
        <input
          type="search"
          name="q"
          value={text}
          placeholder={placeholder}
          spellcheck={false}
          autocomplete="off"
          onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Search</button>
      {search.text ? (
        <button type="button" class="secondary" onClick={() => { setText(''); onSearch({ text: '', mode: 'startsWith' }); }}>
          Clear
        </button>
      ) : null}
    </form>
  );
}
