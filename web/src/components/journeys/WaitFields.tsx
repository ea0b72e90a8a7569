import { useI18n } from '../../i18n';

const UNITS = ['S', 'M', 'H', 'D'] as const;
type Unit = (typeof UNITS)[number];
type Wait = { duration: string } | { until_time_of_day: string };

/** `P3D`, `PT10M`, … as an amount and a unit; other durations (P1DT2H) show as 0 days until edited. */
function parse(d: string): { n: number; unit: Unit } {
  const m = /^P(?:(\d+)D|T(\d+)([SMH]))$/.exec(d);
  if (!m) return { n: 0, unit: 'D' };
  return m[1] !== undefined ? { n: Number(m[1]), unit: 'D' } : { n: Number(m[2]), unit: m[3] as Unit };
}
const iso = (n: number, unit: Unit) => (unit === 'D' ? `P${n}D` : `PT${n}${unit}`);

/** A wait: for a while (an amount of seconds to days) or until a time of day. */
export function WaitFields({ wait, onChange, testId }: { wait: Wait; onChange: (w: Wait) => void; testId: string }) {
  const { t } = useI18n();
  const forWhile = 'duration' in wait;
  const d = forWhile ? parse(wait.duration) : { n: 3, unit: 'D' as Unit };
  return (
    <div className="form-grid">
      <label className="field">
        <span>{t('journeys.step.wait')}</span>
        <select
          value={forWhile ? 'for' : 'until'}
          onChange={(e) => onChange(e.target.value === 'for' ? { duration: 'P3D' } : { until_time_of_day: '10:00' })}
          data-testid={`${testId}-mode`}
        >
          <option value="for">{t('journeys.wait.for')}</option>
          <option value="until">{t('journeys.wait.until')}</option>
        </select>
      </label>
      {forWhile ? (
        <>
          <label className="field">
            <span>{t('journeys.wait.amount')}</span>
            <input
              type="number"
              min={1}
              value={d.n}
              onChange={(e) => onChange({ duration: iso(Math.max(0, Math.floor(Number(e.target.value))), d.unit) })}
              data-testid={`${testId}-amount`}
            />
          </label>
          <label className="field">
            <span>&nbsp;</span>
            <select
              value={d.unit}
              onChange={(e) => onChange({ duration: iso(d.n, e.target.value as Unit) })}
              data-testid={`${testId}-unit`}
            >
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`journeys.wait.unit.${u}`)}
                </option>
              ))}
            </select>
          </label>
        </>
      ) : (
        <label className="field">
          <span>{t('journeys.wait.time')}</span>
          <input
            type="time"
            value={wait.until_time_of_day}
            onChange={(e) => onChange({ until_time_of_day: e.target.value })}
            data-testid={`${testId}-time`}
          />
        </label>
      )}
    </div>
  );
}
