/** A record's details (an audit entry's, an alert's) as key/value chips; objects shown as JSON. */
export function DetailChips({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <div className="chips">
      {entries.map(([k, v]) => (
        <span key={k} className="chip">
          <span className="chip-key">{k}</span>
          <span className="mono">{typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}</span>
        </span>
      ))}
    </div>
  );
}
