/**
 * "Showing 26–50 of 312" with links to the previous and next pages (RFC 7644 §3.4.2.4:
 * 1-based startIndex). `hrefAt` gives the link for a startIndex.
 */
export function Pager({ startIndex, shown, total, pageSize, hrefAt, label }: {
  startIndex: number;
  shown: number;
  total: number;
  pageSize: number;
  hrefAt: (startIndex: number) => string;
  label: string;
}) {
  const first = shown === 0 ? 0 : startIndex;
  const last = startIndex + shown - 1;
  const previous = startIndex > 1 ? Math.max(1, startIndex - pageSize) : undefined;
  const next = last < total && shown > 0 ? last + 1 : undefined;
  return (
    <nav class="pager" aria-label={label}>
      <p class="count" aria-live="polite">
        {total === 0 ? 'None found' : `Showing ${first}–${last} of ${total}`}
      </p>
      {previous !== undefined ? <a href={hrefAt(previous)} rel="prev">← Previous</a> : <span aria-hidden="true" class="disabled">← Previous</span>}
      {next !== undefined ? <a href={hrefAt(next)} rel="next">Next →</a> : <span aria-hidden="true" class="disabled">Next →</span>}
    </nav>
  );
}
