import { useI18n } from '../../i18n';
import { freshStepId, newStep, STEP_KINDS, stepKind, type Step, type StepKind } from '../../journeys';
import { BranchRule } from './BranchRule';
import { useBuilder } from './builder-context';
import { StepFields } from './StepFields';

/**
 * A vertical list of steps, each a card (its kind, its fields, move up/down, remove), with a picker
 * to add one at the end. Branches and splits hold lists of their own, drawn indented.
 */
export function StepList({
  steps,
  onChange,
  testId,
}: {
  steps: Step[];
  onChange: (steps: Step[]) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const { taken } = useBuilder();
  const set = (i: number, s: Step) => onChange(steps.map((x, j) => (j === i ? s : x)));
  const move = (i: number, by: -1 | 1) => {
    const out = [...steps];
    [out[i], out[i + by]] = [out[i + by]!, out[i]!];
    onChange(out);
  };
  return (
    <div className="journey-steps" data-testid={testId}>
      {steps.length === 0 && <p className="muted small">{t('journeys.steps.empty')}</p>}
      <ol className="journey-step-list">
        {steps.map((s, i) => {
          const kind = stepKind(s);
          return (
            <li
              key={s.id}
              className={`journey-step journey-step-${kind}`}
              data-testid="journey-step"
              data-kind={kind}
              data-step={s.id}
            >
              <div className="journey-step-head">
                <strong>{t(`journeys.step.${kind}`)}</strong>
                <code className="mono muted small">{s.id}</code>
                <span className="journey-step-tools">
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                    aria-label={t('journeys.step.up')}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={i === steps.length - 1}
                    onClick={() => move(i, 1)}
                    aria-label={t('journeys.step.down')}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => onChange(steps.filter((_, j) => j !== i))}
                    data-testid={`${testId}-remove-${s.id}`}
                  >
                    {t('journeys.step.remove')}
                  </button>
                </span>
              </div>
              <StepFields step={s} onChange={(x) => set(i, x)} testId={`step-${s.id}`} />
              {'branch' in s && (
                <>
                  <BranchRule
                    rule={s.branch.if}
                    onChange={(r) => set(i, { ...s, branch: { ...s.branch, if: r } })}
                    testId={`step-${s.id}-if`}
                  />
                  <div className="journey-arms">
                    <div className="journey-arm">
                      <h4>{t('journeys.branch.then')}</h4>
                      <StepList
                        steps={s.branch.then}
                        onChange={(then) => set(i, { ...s, branch: { ...s.branch, then } })}
                        testId={`step-${s.id}-then`}
                      />
                    </div>
                    <div className="journey-arm">
                      <h4>{t('journeys.branch.else')}</h4>
                      <StepList
                        steps={s.branch.else}
                        onChange={(els) => set(i, { ...s, branch: { ...s.branch, else: els } })}
                        testId={`step-${s.id}-else`}
                      />
                    </div>
                  </div>
                </>
              )}
              {'split' in s && (
                <>
                  <div className="journey-arms">
                    {s.split.variants.map((v, k) => {
                      const setVariant = (nv: typeof v | null) =>
                        set(i, {
                          ...s,
                          split: {
                            variants:
                              nv === null
                                ? s.split.variants.filter((_, j) => j !== k)
                                : s.split.variants.map((x, j) => (j === k ? nv : x)),
                          },
                        });
                      return (
                        <div key={k} className="journey-arm" data-testid="journey-variant">
                          <div className="form-grid">
                            <label className="field">
                              <span>{t('journeys.split.variant')}</span>
                              <input value={v.name} onChange={(e) => setVariant({ ...v, name: e.target.value })} />
                            </label>
                            <label className="field">
                              <span>{t('journeys.split.weight')}</span>
                              <input
                                type="number"
                                min={1}
                                max={100}
                                value={v.weight}
                                onChange={(e) => setVariant({ ...v, weight: Math.floor(Number(e.target.value)) })}
                              />
                            </label>
                            {s.split.variants.length > 2 && (
                              <button type="button" className="btn btn-small" onClick={() => setVariant(null)}>
                                {t('journeys.split.remove')}
                              </button>
                            )}
                          </div>
                          <StepList
                            steps={v.steps}
                            onChange={(vs) => setVariant({ ...v, steps: vs })}
                            testId={`step-${s.id}-${k}`}
                          />
                        </div>
                      );
                    })}
                  </div>
                  <button
                    type="button"
                    className="btn btn-small journey-add-variant"
                    onClick={() =>
                      set(i, {
                        ...s,
                        split: {
                          variants: [
                            ...s.split.variants,
                            { name: String.fromCharCode(65 + s.split.variants.length), weight: 50, steps: [] },
                          ],
                        },
                      })
                    }
                  >
                    {t('journeys.split.add')}
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ol>
      <select
        value=""
        onChange={(e) =>
          e.target.value &&
          onChange([...steps, newStep(e.target.value as StepKind, freshStepId(e.target.value as StepKind, taken))])
        }
        data-testid={`${testId}-add`}
        aria-label={t('journeys.addStep')}
      >
        <option value="">{t('journeys.addStep')}</option>
        {STEP_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`journeys.step.${k}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
