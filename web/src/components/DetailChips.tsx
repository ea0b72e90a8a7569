import { translateValue, useI18n, type Translate } from '../i18n';

/** A detail's value in words: yes/no, a channel, an identifier type or a consent purpose by name; objects as JSON. */
function valueText(t: Translate, key: string, v: unknown): string {
  if (typeof v === 'boolean') return translateValue(t, 'detailValue', String(v));
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  const s = String(v);
  if (key === 'channel') return translateValue(t, 'channel', s);
  if (key === 'purpose') return translateValue(t, 'purpose', s);
  if (key === 'type') return translateValue(t, 'identifier', s);
  return s;
}

/** A record's details (an audit entry's, an alert's) as key/value chips, in the console's language (codes on hover). */
export function DetailChips({ details }: { details: Record<string, unknown> }) {
  const { t } = useI18n();
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <div className="chips">
      {entries.map(([k, v]) => (
        <span key={k} className="chip" title={`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`}>
          <span className="chip-key">{translateValue(t, 'detailKey', k)}</span>
          <span className="mono">{valueText(t, k, v)}</span>
        </span>
      ))}
    </div>
  );
}
