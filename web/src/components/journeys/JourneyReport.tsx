import { formatFen, formatInt, formatPercent } from '../../format';
import { useI18n, translateValue } from '../../i18n';
import { flatSteps, stepKind, type JourneyReport as Report, type Step } from '../../journeys';
import { KpiCard } from '../KpiCard';

const signed = (fraction: number) => (fraction > 0 ? '+' : '') + formatPercent(fraction);

/**
 * A journey's report (GET /v1/journeys/:id/report): who entered and where they are, the funnel
 * per step with what was suppressed and why, messages by state, coupons, the goal's rate treated
 * vs holdout with the uplift and its 95 % interval, and the variants of a split.
 */
export function JourneyReport({ report, steps }: { report: Report; steps: Step[] }) {
  const { t } = useI18n();
  const kinds = new Map(flatSteps(steps).map((s) => [s.id, stepKind(s)]));
  const top = Math.max(1, report.entered - report.holdout);
  const g = report.goal;
  return (
    <div className="journey-report" data-testid="journey-report">
      <div className="kpi-grid">
        <KpiCard label={t('journeys.kpi.entered')} value={formatInt(report.entered)} testId="journey-entered" accent />
        <KpiCard label={t('journeys.kpi.holdout')} value={formatInt(report.holdout)} testId="journey-holdout-count" />
        <KpiCard label={t('journeys.kpi.active')} value={formatInt(report.active)} testId="journey-active" />
        <KpiCard label={t('journeys.kpi.completed')} value={formatInt(report.completed)} testId="journey-completed" />
        <KpiCard label={t('journeys.kpi.exited')} value={formatInt(report.exited)} testId="journey-exited" />
      </div>

      <h3>{t('journeys.funnel')}</h3>
      <table className="table table-compact" data-testid="journey-funnel">
        <thead>
          <tr>
            <th>{t('journeys.funnel.step')}</th>
            <th className="journey-bar-col" />
            <th className="num">{t('journeys.funnel.done')}</th>
            <th>{t('journeys.funnel.suppressed')}</th>
          </tr>
        </thead>
        <tbody>
          {report.steps.map((s) => {
            const kind = kinds.get(s.id);
            return (
              <tr key={s.id} data-testid="journey-funnel-step" data-step={s.id} data-done={s.done}>
                <td>
                  {kind ? t(`journeys.step.${kind}`) : ''} <code className="mono muted small">{s.id}</code>
                </td>
                <td className="journey-bar-col">
                  <div className="journey-bar">
                    <div style={{ width: `${Math.min(100, (100 * s.done) / top)}%` }} />
                  </div>
                </td>
                <td className="num">{formatInt(s.done)}</td>
                <td className="small">
                  {Object.entries(s.suppressed)
                    .filter(([, n]) => n > 0)
                    .map(([why, n]) => `${translateValue(t, 'journeys.reason', why)} ${formatInt(n)}`)
                    .join(' · ')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <div className="journey-report-cols">
        <div>
          <h3>{t('journeys.messages')}</h3>
          <dl className="totals" data-testid="journey-messages">
            {(['sent', 'delivered', 'failed', 'suppressed'] as const).map((k) => (
              <div key={k} className="journey-dl-row" data-testid={`journey-messages-${k}`}>
                <dt>{t(`journeys.messages.${k}`)}</dt>
                <dd>{formatInt(report.messages[k])}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div>
          <h3>{t('journeys.coupons')}</h3>
          <dl className="totals" data-testid="journey-coupons">
            {(['issued', 'redeemed'] as const).map((k) => (
              <div key={k} className="journey-dl-row" data-testid={`journey-coupons-${k}`}>
                <dt>{t(`journeys.coupons.${k}`)}</dt>
                <dd>{formatInt(report.coupons[k])}</dd>
              </div>
            ))}
          </dl>
        </div>
      </div>

      {g ? (
        <>
          <h3>{t('journeys.goalReport')}</h3>
          <table className="table table-compact" data-testid="journey-goal-table">
            <thead>
              <tr>
                <th>{t('journeys.goal.group')}</th>
                <th className="num">{t('journeys.goal.customers')}</th>
                <th className="num">{t('journeys.goal.converted')}</th>
                <th className="num">{t('journeys.goal.rate')}</th>
              </tr>
            </thead>
            <tbody>
              {(['treated', 'holdout'] as const).map((k) => (
                <tr key={k} data-testid={`journey-goal-${k}`}>
                  <td>{t(k === 'treated' ? 'journeys.goal.treated' : 'journeys.goal.holdoutGroup')}</td>
                  <td className="num">{formatInt(g[k].customers)}</td>
                  <td className="num">{formatInt(g[k].converted)}</td>
                  <td className="num">{formatPercent(g[k].rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="journey-uplift" data-testid="journey-uplift">
            <span className="muted">{t('journeys.uplift')}</span>{' '}
            {g.uplift === null ? (
              <span className="muted">{t('journeys.upliftNone')}</span>
            ) : (
              <>
                <strong data-testid="journey-uplift-value">{signed(g.uplift)}</strong>
                {g.uplift_ci95 && (
                  <span className="muted small" data-testid="journey-uplift-ci">
                    {' '}
                    ({t('journeys.upliftCi', { lo: signed(g.uplift_ci95[0]), hi: signed(g.uplift_ci95[1]) })})
                  </span>
                )}
              </>
            )}
            {g.incremental_net_sales !== null && (
              <span className="small">
                {' '}
                · {t('journeys.incremental')} {formatFen(g.incremental_net_sales)}
              </span>
            )}
          </div>
        </>
      ) : (
        <p className="muted" data-testid="journey-no-goal">
          {t('journeys.noGoal')}
        </p>
      )}

      {report.variants.length > 0 && (
        <>
          <h3>{t('journeys.variants')}</h3>
          <table className="table table-compact" data-testid="journey-variants">
            <thead>
              <tr>
                <th>{t('journeys.split.variant')}</th>
                <th className="num">{t('journeys.goal.customers')}</th>
                <th className="num">{t('journeys.goal.converted')}</th>
                <th className="num">{t('journeys.goal.rate')}</th>
              </tr>
            </thead>
            <tbody>
              {report.variants.map((v) => (
                <tr key={v.name} data-testid="journey-variant-row" data-variant={v.name}>
                  <td>{v.name}</td>
                  <td className="num">{formatInt(v.customers)}</td>
                  <td className="num">{formatInt(v.converted)}</td>
                  <td className="num">{formatPercent(v.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
