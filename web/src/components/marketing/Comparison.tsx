import { useI18n, type MessageKey } from '../../i18n';
import { bodyOf } from './rule-model';

const OPS = ['gte', 'gt', 'eq', 'neq', 'lte', 'lt'] as const;
type Op = (typeof OPS)[number];

/** Trims floating noise off a shown number: 30.000000000000004 → 30. */
const tidy = (n: number) => Number(n.toFixed(6));

/**
 * A numeric comparison ({gte: 1}, or several ops which must all hold) edited as rows of operator and
 * value. `scale`: stored = shown × scale (fen shown as yuan: 100; a probability shown as %: 0.01);
 * `integer` rounds what is stored. `optional`: the comparison may be left out ("any").
 */
export function ComparisonInput({
  value,
  onChange,
  scale = 1,
  integer = false,
  optional = false,
  unit,
  testId,
  label,
}: {
  value: unknown;
  onChange: (v: Record<string, number> | undefined) => void;
  scale?: number;
  integer?: boolean;
  optional?: boolean;
  unit?: string;
  testId: string;
  label: string;
}) {
  const { t } = useI18n();
  const cmp = bodyOf(value);
  const rows = OPS.filter((op) => typeof cmp[op] === 'number').map((op) => ({ op, n: cmp[op] as number }));
  const store = (shown: number) => (integer ? Math.round(shown * scale) : tidy(shown * scale));
  const write = (next: { op: Op; n: number }[]) => {
    if (next.length === 0) return onChange(optional ? undefined : { gte: 0 });
    onChange(Object.fromEntries(next.map((r) => [r.op, r.n])));
  };
  const free = OPS.filter((op) => !rows.some((r) => r.op === op));
  return (
    <span className="cmp" data-testid={testId} aria-label={label}>
      {rows.length === 0 && <span className="muted">{t('rule.any')}</span>}
      {rows.map((r, i) => (
        <span key={r.op} className="cmp-row">
          <select
            value={r.op}
            aria-label={label}
            onChange={(e) => write(rows.map((x, j) => (j === i ? { ...x, op: e.target.value as Op } : x)))}
            data-testid={`${testId}-op`}
          >
            {[r.op, ...free].map((op) => (
              <option key={op} value={op}>
                {t(`rule.op.${op}` as MessageKey)}
              </option>
            ))}
          </select>
          <input
            type="number"
            className="num-input"
            step={integer && scale === 1 ? 1 : 'any'}
            value={Number.isFinite(r.n) ? tidy(r.n / scale) : ''}
            aria-label={label}
            onChange={(e) => {
              const shown = e.target.value === '' ? NaN : Number(e.target.value);
              write(rows.map((x, j) => (j === i ? { ...x, n: Number.isFinite(shown) ? store(shown) : 0 } : x)));
            }}
            data-testid={`${testId}-value`}
          />
          {unit && <span className="muted">{unit}</span>}
          {(optional || rows.length > 1) && (
            <button
              type="button"
              className="btn btn-link btn-small"
              onClick={() => write(rows.filter((_, j) => j !== i))}
              aria-label={t('rule.removeBound')}
            >
              ×
            </button>
          )}
        </span>
      ))}
      {free.length > 0 && rows.length < 2 && (
        <button
          type="button"
          className="btn btn-link btn-small"
          onClick={() =>
            write([...rows, { op: rows.length === 0 ? 'gte' : rows[0]!.op.startsWith('g') ? 'lte' : 'gte', n: 0 }])
          }
          data-testid={`${testId}-add`}
        >
          {rows.length === 0 ? t('rule.setBound') : t('rule.addBound')}
        </button>
      )}
    </span>
  );
}

/** A list of choices ({in: [...]}) as checkboxes; other ops of a loaded rule are kept as they are. */
export function ChoiceInput({
  value,
  onChange,
  choices,
  testId,
  label,
}: {
  value: unknown;
  onChange: (v: Record<string, unknown>) => void;
  choices: { id: string; label: string }[];
  testId: string;
  label: string;
}) {
  const cmp = bodyOf(value);
  const chosen = Array.isArray(cmp.in) ? (cmp.in as unknown[]).map(String) : typeof cmp.eq === 'string' ? [cmp.eq] : [];
  const known = new Set(choices.map((c) => c.id));
  const all = [...choices, ...chosen.filter((c) => !known.has(c)).map((c) => ({ id: c, label: c }))];
  return (
    <span className="choices" role="group" aria-label={label} data-testid={testId}>
      {all.map((c) => (
        <label key={c.id} className="check choice">
          <input
            type="checkbox"
            checked={chosen.includes(c.id)}
            onChange={(e) => {
              const next = e.target.checked ? [...chosen, c.id] : chosen.filter((x) => x !== c.id);
              const rest = { ...cmp };
              delete rest.eq;
              onChange({ ...rest, in: next });
            }}
            data-testid={`${testId}-${c.id}`}
          />
          {c.label}
        </label>
      ))}
    </span>
  );
}
