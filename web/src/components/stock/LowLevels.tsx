import { useEffect, useState } from 'react';
import { formatInt, localName } from '../../format';
import { usePagedList } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { boundLocation, useMe } from '../../me';
import { href } from '../../router';
import { LOW_RULES, type LowLevel, type LowRule } from '../../till';
import { Empty, ErrorMessage, LoadMore, Loading } from '../Status';
import './stock.css';

/** What each rule means, in Chinese and in English side by side (a manager and a head office read them). */
export function LowRulesExplained() {
  const { t } = useI18n();
  return (
    <details className="low-rules-help" open data-testid="low-rules-help">
      <summary>{t('lowLevels.explainTitle')}</summary>
      <ul>
        {LOW_RULES.map((r) => (
          <li key={r} data-rule={r}>
            <div>{t(`lowRuleHelp.${r}`)}</div>
            <div className="muted small">{t(`lowRuleHelp.${r}En`)}</div>
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * Every SKU × location at or below its safety stock or a low-stock threshold (GET
 * /v1/stock/low/locations), with the rules that fired; store staff see their own store.
 */
export function LowLevels() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list: locations, byId } = useLocations();
  const bound = boundLocation(me);
  const [location, setLocation] = useState('');
  const [rule, setRule] = useState<LowRule | ''>('');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const rows = usePagedList<LowLevel>('/v1/stock/low/locations', {
    location_id: bound ?? (location || undefined),
    rule: rule || undefined,
    q: q || undefined,
  });

  return (
    <div data-testid="low-levels">
      <div className="filters">
        {!bound && (
          <label className="field-inline">
            <span>{t('lowLevels.location')}</span>
            <select value={location} onChange={(e) => setLocation(e.target.value)} data-testid="low-levels-location">
              <option value="">{t('common.all')}</option>
              {locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {localName(l.name, lang)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field-inline">
          <span>{t('lowLevels.rule')}</span>
          <select value={rule} onChange={(e) => setRule(e.target.value as LowRule | '')} data-testid="low-levels-rule">
            <option value="">{t('common.all')}</option>
            {LOW_RULES.map((r) => (
              <option key={r} value={r}>
                {translateValue(t, 'lowRule', r)}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          className="search"
          placeholder={t('lowLevels.search')}
          aria-label={t('lowLevels.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="low-levels-search"
        />
      </div>
      {rows.error && <ErrorMessage error={rows.error} onRetry={rows.items.length ? rows.loadMore : rows.reload} />}
      {rows.items.length === 0 && rows.loading && <Loading />}
      {rows.items.length === 0 && !rows.loading && !rows.error && <Empty />}
      {rows.items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="low-levels-table">
            <thead>
              <tr>
                <th>{t('lowLevels.location')}</th>
                <th>{t('storeStock.name')}</th>
                <th className="num">{t('storeStock.onHand')}</th>
                <th className="num">{t('storeStock.reserved')}</th>
                <th className="num">{t('lowLevels.available')}</th>
                <th className="num">{t('storeStock.safety')}</th>
                <th className="num">{t('lowLevels.threshold')}</th>
                <th>{t('lowLevels.rules')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.items.map((r) => (
                <tr
                  key={`${r.location_id}|${r.sku}`}
                  data-testid="low-level-row"
                  data-location={r.location_id}
                  data-sku={r.sku}
                  data-rules={r.rules.join(' ')}
                >
                  <td className="nowrap">
                    <a href={href('stores', r.location_id, 'stock')}>{locationLabel(byId, r.location_id, lang)}</a>
                  </td>
                  <td>
                    <div>{r.name}</div>
                    <a className="mono muted small" href={href('inventory', r.sku)}>
                      {r.sku}
                    </a>
                  </td>
                  <td className="num">{formatInt(r.on_hand)}</td>
                  <td className="num">{formatInt(r.reserved)}</td>
                  <td className="num minus">{formatInt(r.available)}</td>
                  <td className="num">{formatInt(r.safety_stock)}</td>
                  <td className="num">{r.threshold === null ? '—' : formatInt(r.threshold)}</td>
                  <td>
                    <div className="chips">
                      {r.rules.map((x) => (
                        <span key={x} className="chip" data-rule={x} title={t(`lowRuleHelp.${x}`)}>
                          {translateValue(t, 'lowRule', x)}
                        </span>
                      ))}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore count={rows.items.length} hasMore={rows.hasMore} loading={rows.loading} onMore={rows.loadMore} />
    </div>
  );
}
