import { useEffect, useRef, useState } from 'react';
import { formatDateTime, formatFen, formatFenShort, formatInt, formatPercent } from '../../format';
import { useAction, useInterval, usePagedList, useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import {
  RFM_SEGMENTS,
  downloadCsv,
  type RfmCell,
  type RfmGrid,
  type RfmRun,
  type RfmScore,
  type RfmSegments,
} from '../../marketing';
import { can, useMe } from '../../me';
import { href, navigate } from '../../router';
import { useApi, useSession } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, Empty, ErrorMessage, LoadMore, Loading } from '../Status';

type Metric = 'customers' | 'revenue';

/** "Run now": starts an RFM run and follows it until it is done or failed, then calls onDone. */
function RunNow({ onDone }: { onDone: () => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const action = useAction();
  const [runId, setRunId] = useState<string | null>(null);
  const run = useResource<RfmRun>(runId ? `/v1/rfm/runs/${encodeURIComponent(runId)}` : null);
  const running = !!runId && (run.data === undefined || run.data.status === 'running');
  useInterval(() => {
    if (running && !run.loading) run.reload();
  }, 1000);
  const status = run.data?.status;
  // Once a run finishes, the page reads its figures (once per run).
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (runId && status && status !== 'running' && reported.current !== runId) {
      reported.current = runId;
      onDone();
    }
  }, [runId, status, onDone]);
  return (
    <div className="rfm-run" data-testid="rfm-run">
      <button
        type="button"
        className="btn btn-primary"
        disabled={action.busy || running}
        onClick={() =>
          void action.run(async () => {
            const started = await api.post<{ id: string }>('/v1/rfm/runs', {});
            setRunId(started.id);
          })
        }
        data-testid="rfm-run-now"
      >
        {running ? t('rfm.running') : t('rfm.runNow')}
      </button>
      {runId && status && (
        <span
          className={`badge badge-${status === 'done' ? 'ok' : status === 'failed' ? 'danger' : 'info'}`}
          data-testid="rfm-run-status"
          data-status={status}
        >
          {t(`rfm.status.${status}`)}
          {status === 'done' && run.data?.customers !== null && run.data?.customers !== undefined
            ? ` · ${t('rfm.scored', { count: formatInt(run.data.customers) })}`
            : ''}
          {status === 'done' && run.data?.finished_at ? ` · ${formatDateTime(run.data.finished_at, lang)}` : ''}
        </span>
      )}
      <ActionError error={action.error} />
    </div>
  );
}

/** The 5 × 5 heat map: R (5 = bought most recently) down the side, F (5 = buys most often) along the bottom. */
function HeatMap({ grid, metric }: { grid: RfmGrid; metric: Metric }) {
  const { t, lang } = useI18n();
  const max = Math.max(1, ...grid.cells.map((c) => c[metric]));
  const total = grid.cells.reduce((s, c) => s + c[metric], 0);
  const at = (r: number, f: number): RfmCell =>
    grid.cells.find((c) => c.r === r && c.f === f) ?? { r, f, customers: 0, revenue: 0 };
  return (
    <div className="heatmap-wrap">
      <p className="muted small heatmap-axes">{t('rfm.axes')}</p>
      <div
        className="heatmap"
        role="table"
        aria-label={t('rfm.heatmap')}
        data-testid="rfm-heatmap"
        data-run={grid.run_id ?? undefined}
      >
        {[5, 4, 3, 2, 1].map((r) => (
          <div key={r} className="heatmap-row" role="row">
            <div className="heatmap-axis" role="rowheader">
              R{r}
              <span className="muted small">{t(`rfm.r${r}` as 'rfm.r1')}</span>
            </div>
            {[1, 2, 3, 4, 5].map((f) => {
              const c = at(r, f);
              const v = c[metric];
              const strength = v / max;
              return (
                <div
                  key={f}
                  role="cell"
                  className={'heatmap-cell' + (strength > 0.55 ? ' heatmap-strong' : '')}
                  style={{ background: v ? `rgba(217, 72, 43, ${0.08 + 0.85 * strength})` : undefined }}
                  title={t('rfm.cellTitle', {
                    r,
                    f,
                    customers: formatInt(c.customers),
                    revenue: formatFen(c.revenue),
                  })}
                  data-testid={`rfm-cell-${r}${f}`}
                  data-customers={c.customers}
                  data-revenue={c.revenue}
                >
                  <span className="heatmap-value">
                    {metric === 'customers' ? formatInt(c.customers) : formatFenShort(c.revenue, lang)}
                  </span>
                  <span className="heatmap-sub">{total > 0 ? formatPercent(v / total) : '—'}</span>
                </div>
              );
            })}
          </div>
        ))}
        <div className="heatmap-row heatmap-foot" role="row">
          <div className="heatmap-axis" />
          {[1, 2, 3, 4, 5].map((f) => (
            <div key={f} className="heatmap-axis heatmap-axis-f" role="columnheader">
              F{f}
              <span className="muted small">{t(`rfm.f${f}` as 'rfm.f1')}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

/** The 11 segments with customers, revenue and their shares; a row opens the segment's customers. */
function SegmentTable({ data, selected }: { data: RfmSegments; selected: string | null }) {
  const { t } = useI18n();
  const people = data.items.reduce((s, i) => s + i.customers, 0);
  const revenue = data.items.reduce((s, i) => s + i.revenue, 0);
  return (
    <div className="table-wrap">
      <table className="table table-hover" data-testid="rfm-segments">
        <thead>
          <tr>
            <th>{t('rfm.segment')}</th>
            <th className="num">{t('rfm.customers')}</th>
            <th className="num">{t('rfm.customerShare')}</th>
            <th className="num">{t('rfm.revenue')}</th>
            <th className="num">{t('rfm.revenueShare')}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((i) => (
            <tr
              key={i.segment}
              className={i.segment === selected ? 'selected' : undefined}
              onClick={() => navigate('marketing', 'rfm', i.segment)}
              data-testid="rfm-segment-row"
              data-segment={i.segment}
              data-customers={i.customers}
            >
              <td>
                <a href={href('marketing', 'rfm', i.segment)} onClick={(e) => e.stopPropagation()}>
                  <strong>{translateValue(t, 'rfmSegment', i.segment)}</strong>
                </a>
                <div className="muted small">{translateValue(t, 'rfmSegmentHint', i.segment)}</div>
              </td>
              <td className="num">{formatInt(i.customers)}</td>
              <td className="num">
                <Share value={people ? i.customers / people : 0} />
              </td>
              <td className="num nowrap">{formatFen(i.revenue)}</td>
              <td className="num">
                <Share value={revenue ? i.revenue / revenue : 0} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Share({ value }: { value: number }) {
  return (
    <span className="share">
      <span className="share-track">
        <span className="share-bar" style={{ width: `${Math.round(value * 100)}%` }} />
      </span>
      <span className="share-value">{formatPercent(value)}</span>
    </span>
  );
}

/** One RFM segment's customers (ids and scores: no personal data), with the CSV export. */
function SegmentCustomers({ segment }: { segment: string }) {
  const { t } = useI18n();
  const { key } = useSession();
  const list = usePagedList<RfmScore>('/v1/rfm/customers', { segment });
  const exporting = useAction();
  const valid = (RFM_SEGMENTS as readonly string[]).includes(segment);
  return (
    <Panel
      title={t('rfm.membersOf', { segment: translateValue(t, 'rfmSegment', segment) })}
      hint={t('rfm.membersHint')}
      testId="rfm-members"
      actions={
        <div className="page-actions">
          <button
            type="button"
            className="btn btn-small"
            disabled={exporting.busy || !key || !valid}
            onClick={() =>
              void exporting.run(() =>
                downloadCsv(key!, `/v1/rfm/customers?segment=${encodeURIComponent(segment)}`, `rfm-${segment}.csv`),
              )
            }
            data-testid="rfm-export"
          >
            {t('marketing.exportCsv')}
          </button>
          <a className="btn btn-small" href={href('marketing', 'rfm')}>
            {t('common.close')}
          </a>
        </div>
      }
    >
      <ActionError error={exporting.error} />
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.items.length === 0 && list.loading && <Loading />}
      {list.items.length === 0 && !list.loading && !list.error && <Empty />}
      {list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="rfm-members-table">
            <thead>
              <tr>
                <th>{t('customers.id')}</th>
                <th className="num">{t('rfm.recencyDays')}</th>
                <th className="num">{t('rfm.frequency')}</th>
                <th className="num">{t('rfm.monetary')}</th>
                <th>{t('rfm.score')}</th>
                <th>{t('rfm.lifecycle')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr
                  key={c.customer_id}
                  onClick={() => navigate('customers', c.customer_id)}
                  data-testid="rfm-member"
                  data-customer={c.customer_id}
                >
                  <td>
                    <a className="mono" href={href('customers', c.customer_id)} onClick={(e) => e.stopPropagation()}>
                      {c.customer_id}
                    </a>
                  </td>
                  <td className="num">{t('rfm.daysAgo', { days: c.recency_days })}</td>
                  <td className="num">{formatInt(c.frequency)}</td>
                  <td className="num nowrap">{formatFen(c.monetary)}</td>
                  <td>
                    <span className="rfm-code" title={t('rfm.codeTitle', { r: c.r, f: c.f, m: c.m })}>
                      R{c.r} F{c.f} M{c.m}
                    </span>
                  </td>
                  <td>{translateValue(t, 'lifecycle', c.lifecycle)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={list.items.length} hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </Panel>
  );
}

/** RFM 分析: the latest run's R × F heat map and its 11 segments; a segment opens its customers. */
export function RfmView({ segment }: { segment: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const segments = useResource<RfmSegments>('/v1/rfm/segments');
  const grid = useResource<RfmGrid>('/v1/rfm/grid');
  const [metric, setMetric] = useState<Metric>('customers');
  const reload = () => {
    segments.reload();
    grid.reload();
  };
  const noRun = segments.data && segments.data.run_id === null;
  return (
    <>
      <Panel
        title={t('rfm.title')}
        hint={
          segments.data?.as_of
            ? t('rfm.asOf', { at: formatDateTime(segments.data.as_of, lang) })
            : noRun
              ? t('rfm.noRun')
              : undefined
        }
        testId="rfm-panel"
        actions={can(me, 'runRfm') ? <RunNow onDone={reload} /> : undefined}
      >
        <p className="muted small">{t('rfm.explain')}</p>
        {grid.error && <ErrorMessage error={grid.error} onRetry={grid.reload} />}
        {!grid.data && grid.loading && <Loading />}
        {grid.data && grid.data.cells.length > 0 && (
          <>
            <div className="segmented" role="radiogroup" aria-label={t('rfm.metric')}>
              {(['customers', 'revenue'] as const).map((m) => (
                <button
                  key={m}
                  type="button"
                  role="radio"
                  aria-checked={metric === m}
                  className={metric === m ? 'active' : ''}
                  onClick={() => setMetric(m)}
                  data-testid={`rfm-metric-${m}`}
                >
                  {t(m === 'customers' ? 'rfm.byCustomers' : 'rfm.byRevenue')}
                </button>
              ))}
            </div>
            <HeatMap grid={grid.data} metric={metric} />
          </>
        )}
        {grid.data && grid.data.cells.length === 0 && (
          <div className="status status-empty" data-testid="rfm-empty">
            {t('rfm.noRun')}
          </div>
        )}
      </Panel>
      <Panel title={t('rfm.segments')} hint={t('rfm.segmentsHint')} testId="rfm-segments-panel">
        {segments.error && <ErrorMessage error={segments.error} onRetry={segments.reload} />}
        {!segments.data && segments.loading && <Loading />}
        {segments.data && segments.data.items.length > 0 && <SegmentTable data={segments.data} selected={segment} />}
        {noRun && <Empty />}
      </Panel>
      {segment && <SegmentCustomers key={segment} segment={segment} />}
    </>
  );
}
