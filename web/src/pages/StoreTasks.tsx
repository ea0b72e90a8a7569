import { useCallback, useState, type ReactNode } from 'react';
import type { Fulfilment } from '../api';
import { PageHeader, Panel } from '../components/PageHeader';
import { StorePicker } from '../components/StorePicker';
import { Empty, ErrorMessage, Loading } from '../components/Status';
import { TaskCard } from '../components/TaskCard';
import { localName } from '../format';
import { awaitsCollection, OPEN_STATUSES } from '../fulfilment';
import { useInterval, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { useLocations } from '../locations';
import { boundLocation, useMe } from '../me';

const REFRESH_MS = 30_000;

function Section({
  title,
  count,
  testId,
  children,
}: {
  title: string;
  count: number;
  testId: string;
  children: ReactNode;
}) {
  return (
    <section className="task-section" data-testid={testId}>
      <h2>
        {title} <span className="count">{count}</span>
      </h2>
      <div className="task-grid">{children}</div>
    </section>
  );
}

/** A location's open fulfilments, refreshed every 30 s; what is finished here stays in view as done. */
function Queue({ location }: { location: string }) {
  const { t } = useI18n();
  const queue = useResource<{ items: Fulfilment[] }>('/v1/fulfillments', {
    location_id: location,
    status: OPEN_STATUSES.join(','),
    order: 'oldest',
    limit: 200,
  });
  const reload = queue.reload;
  useInterval(reload, REFRESH_MS);
  // Answers of our own actions, newer than the queue until it is loaded again.
  const [patched, setPatched] = useState<Record<string, Fulfilment>>({});
  const [done, setDone] = useState<Fulfilment[]>([]);

  const onUpdated = useCallback(
    (f: Fulfilment) => {
      if ((OPEN_STATUSES as readonly string[]).includes(f.status)) setPatched((p) => ({ ...p, [f.id]: f }));
      else setDone((d) => [f, ...d.filter((x) => x.id !== f.id)]);
      reload();
    },
    [reload],
  );

  const doneIds = new Set(done.map((f) => f.id));
  const items = (queue.data?.items ?? [])
    .filter((f) => !doneIds.has(f.id))
    .map((f) => {
      const p = patched[f.id];
      return p && p.events.length > f.events.length ? p : f;
    });
  const counter = items.filter(awaitsCollection);
  const toPrepare = items.filter((f) => !awaitsCollection(f));

  return (
    <>
      <div className="task-toolbar">
        <span className="muted small">{t('store.autoRefresh')}</span>
        <button type="button" className="btn" onClick={reload} disabled={queue.loading} data-testid="store-refresh">
          {queue.loading ? t('common.loading') : t('common.refresh')}
        </button>
      </div>
      {queue.error && <ErrorMessage error={queue.error} onRetry={reload} />}
      {!queue.data && queue.loading && <Loading />}
      {queue.data && items.length === 0 && done.length === 0 && (
        <Panel>
          <Empty />
          <p className="muted small">{t('store.nothingOpen')}</p>
        </Panel>
      )}
      {counter.length > 0 && (
        <Section title={t('store.awaitingCollection')} count={counter.length} testId="section-counter">
          {counter.map((f) => (
            <TaskCard key={f.id} fulfilment={f} onUpdated={onUpdated} />
          ))}
        </Section>
      )}
      {toPrepare.length > 0 && (
        <Section title={t('store.toPrepare')} count={toPrepare.length} testId="section-prepare">
          {toPrepare.map((f) => (
            <TaskCard key={f.id} fulfilment={f} onUpdated={onUpdated} />
          ))}
        </Section>
      )}
      {done.length > 0 && (
        <Section title={t('store.doneNow')} count={done.length} testId="section-done">
          {done.map((f) => (
            <TaskCard key={f.id} fulfilment={f} onUpdated={onUpdated} done />
          ))}
        </Section>
      )}
    </>
  );
}

/** 门店作业: a store's picking, packing and pickup hand-overs. Store staff get their own store; others choose. */
export function StoreTasks({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list: locations, byId } = useLocations();
  const bound = boundLocation(me);
  const location = bound ?? selected;
  const current = location ? byId.get(location) : undefined;
  const subtitle = current
    ? `${localName(current.name, lang)} · ${translateValue(t, 'locationType', current.type)}`
    : t('store.subtitle');

  return (
    <div className="store-tasks">
      <PageHeader
        title={t('store.title')}
        subtitle={subtitle}
        actions={
          me && !bound ? (
            <StorePicker page="store" location={location ?? null} stores={locations} withType testId="store-location" />
          ) : undefined
        }
      />
      {!me && <Loading />}
      {me && !location && (
        <Panel>
          <p className="muted">{t('store.chooseHint')}</p>
        </Panel>
      )}
      {me && location && <Queue key={location} location={location} />}
    </div>
  );
}
