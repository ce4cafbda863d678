/**
 * A value as a person reads it: objects as name / value rows (nested ones indented, folded
 * past two levels), lists with their length, strings without quotes. Not raw JSON.
 */
export function DataView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value !== 'object') return <span className="data-scalar">{String(value)}</span>;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="muted">{Array.isArray(value) ? '(empty list)' : '(empty)'}</span>;
  if (depth >= 2) {
    return (
      <details>
        <summary className="muted">{Array.isArray(value) ? `${entries.length} items` : `${entries.length} fields`}</summary>
        <pre className="data-json">{JSON.stringify(value, null, 2)}</pre>
      </details>
    );
  }
  return (
    <dl className="data-view">
      {entries.map(([k, v]) => (
        <div key={k} className="data-row">
          <dt>{Array.isArray(value) ? `#${Number(k) + 1}` : k}</dt>
          <dd>
            <DataView value={v} depth={depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
