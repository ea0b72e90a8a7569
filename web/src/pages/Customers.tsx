import { useState, type FormEvent } from 'react';
import { withQuery, type Customer } from '../api';
import { ChannelBadge } from '../components/Badges';
import { IdentifierChips, KindBadge, TAG_PATTERN, TagChips } from '../components/CustomerBits';
import { SegmentCustomerTable, SegmentFilterSelect, type SegmentFilter } from '../components/marketing/CustomerFilter';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { CsvButton } from '../components/CsvButton';
import { formatDateTime, formatFen } from '../format';
import { usePagedList } from '../hooks';
import { useI18n } from '../i18n';
import { tierName } from '../loyalty';
import { can, useMe } from '../me';
import { href, navigate } from '../router';

type Mode = 'contact' | 'tag';

/** What the list shows: every customer, or the answer to one search. */
type Search = { mode: Mode; text: string } | null;

function SearchForm({
  mode,
  onMode,
  onSearch,
  onClear,
  active,
}: {
  mode: Mode;
  onMode: (m: Mode) => void;
  onSearch: (s: Search) => void;
  onClear: () => void;
  active: boolean;
}) {
  const { t } = useI18n();
  const me = useMe();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const allowed = !me || can(me, 'searchContacts');

  function submit(e: FormEvent) {
    e.preventDefault();
    const v = text.trim();
    if (!v) return;
    if (mode === 'tag' && !TAG_PATTERN.test(v)) return setInvalid(t('profile.tagInvalid'));
    setInvalid(null);
    onSearch({ mode, text: v });
  }

  return (
    <form className="customer-search" onSubmit={submit} noValidate data-testid="customer-search">
      <div className="segmented" role="radiogroup" aria-label={t('customers.searchBy')}>
        {(['contact', 'tag'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={mode === m}
            className={mode === m ? 'active' : ''}
            onClick={() => {
              setInvalid(null);
              onMode(m);
            }}
            data-testid={`search-mode-${m}`}
          >
            {t(m === 'contact' ? 'lists.byContact' : 'customers.byTag')}
          </button>
        ))}
      </div>
      <input
        type="search"
        className="search"
        value={text}
        maxLength={200}
        placeholder={t(mode === 'contact' ? 'lists.contactPlaceholder' : 'customers.tagPlaceholder')}
        aria-label={t(mode === 'contact' ? 'lists.contactPlaceholder' : 'customers.tagPlaceholder')}
        onChange={(e) => setText(e.target.value)}
        data-testid="customer-search-input"
      />
      <button type="submit" className="btn btn-primary" disabled={!text.trim()} data-testid="customer-search-submit">
        {t('customers.search')}
      </button>
      {active && (
        <button
          type="button"
          className="btn"
          onClick={() => {
            setText('');
            setInvalid(null);
            onClear();
          }}
          data-testid="customer-search-clear"
        >
          {t('customers.clear')}
        </button>
      )}
      <p className="muted small search-hint">
        {mode === 'tag'
          ? t('customers.tagHint')
          : allowed
            ? t('lists.contactAudited')
            : t('customers.contactForbidden')}
      </p>
      {invalid && (
        <div className="status status-error form-error" role="alert" data-testid="customer-search-error">
          {invalid}
        </div>
      )}
    </form>
  );
}

const SORTS = ['spend', 'last_sale', 'tier'] as const;

/** One row per person: name (as the role may see it), tier, spend, last purchase, identifiers, tags. */
function CustomerTable({ items }: { items: Customer[] }) {
  const { t, lang } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table table-hover" data-testid="customers-table">
        <thead>
          <tr>
            <th>{t('lists.name')}</th>
            <th>{t('lists.tier')}</th>
            <th className="num">{t('lists.spend')}</th>
            <th>{t('lists.lastSale')}</th>
            <th className="optional">{t('customers.firstChannel')}</th>
            <th className="optional">{t('customers.identifiers')}</th>
            <th className="optional">{t('customers.tags')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} onClick={() => navigate('customers', c.id)} data-testid="customer-row" data-customer={c.id}>
              <td>
                <a href={href('customers', c.id)} onClick={(e) => e.stopPropagation()} data-testid="customer-name">
                  {c.name ?? (c.kind === 'known' ? t('lists.noName') : <KindBadge kind={c.kind} />)}
                </a>
                <div className="mono small muted">{c.id}</div>
              </td>
              <td className="nowrap">{c.tier ? tierName(c.tier, lang) : t('common.none')}</td>
              <td className="num">{formatFen(c.total_spend)}</td>
              <td className="nowrap">
                {c.last_sale_at ? (
                  <>
                    {formatDateTime(c.last_sale_at, lang)} <ChannelBadge channel={c.last_sale_channel} />
                  </>
                ) : (
                  t('common.none')
                )}
              </td>
              <td className="optional">
                <ChannelBadge channel={c.first_channel} />
              </td>
              <td className="optional">
                <IdentifierChips identifiers={c.identifiers} />
              </td>
              <td className="optional">
                <TagChips tags={c.tags} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Customers: every one, by tag, or (admin, support, store staff) by phone, its last 4 digits, name or card. */
export function Customers() {
  const { t } = useI18n();
  const me = useMe();
  const [chosenMode, setMode] = useState<Mode | null>(null);
  // Roles that may not search by contact data start on tags.
  const mode: Mode = chosenMode ?? (me && !can(me, 'searchContacts') ? 'tag' : 'contact');
  const [search, setSearch] = useState<Search>(null);
  // A segment filter and a search exclude each other: choosing one clears the other.
  const [filter, setFilter] = useState<SegmentFilter | null>(null);
  const [sort, setSort] = useState<(typeof SORTS)[number] | ''>('');
  const query = {
    ...(search === null ? {} : search.mode === 'contact' ? { q: search.text } : { tag: search.text }),
    sort,
  };
  const customers = usePagedList<Customer>('/v1/customers', query);

  return (
    <>
      <PageHeader title={t('customers.title')} subtitle={t('customers.subtitle')} />
      <Panel>
        <SearchForm
          key={filter ? 'filtered' : 'search'}
          mode={mode}
          onMode={setMode}
          onSearch={(s) => {
            setFilter(null);
            setSearch(s);
          }}
          onClear={() => setSearch(null)}
          active={search !== null}
        />
        <SegmentFilterSelect
          value={filter}
          onChange={(f) => {
            setSearch(null);
            setFilter(f);
          }}
        />
        {filter && <SegmentCustomerTable key={JSON.stringify(filter)} filter={filter} />}
      </Panel>
      {!filter && (
        <Panel>
          <div className="filters">
            {search && (
              <p className="search-results" data-testid="customer-search-summary">
                {t(search.mode === 'contact' ? 'customers.resultsFor' : 'customers.resultsForTag', { q: search.text })}
              </p>
            )}
            {customers.total !== null && (
              <span className="muted" data-testid="customer-count">
                {t('lists.count', { n: customers.total })}
              </span>
            )}
            <label className="field-inline">
              <span>{t('lists.sort')}</span>
              <select value={sort} onChange={(e) => setSort(e.target.value as typeof sort)} data-testid="customer-sort">
                <option value="">{t('lists.sort.default')}</option>
                {SORTS.map((o) => (
                  <option key={o} value={o}>
                    {t(`lists.sort.${o}`)}
                  </option>
                ))}
              </select>
            </label>
            {can(me, 'exportCustomers') && (
              <CsvButton path={withQuery('/v1/customers', query)} filename="customers.csv" testId="customer-export" />
            )}
          </div>
          {customers.error && (
            <ErrorMessage
              error={customers.error}
              onRetry={customers.items.length ? customers.loadMore : customers.reload}
              forbiddenText={search?.mode === 'contact' ? t('customers.contactForbidden') : undefined}
            />
          )}
          {customers.items.length === 0 && customers.loading && <Loading />}
          {customers.items.length === 0 &&
            !customers.loading &&
            !customers.error &&
            (search ? (
              <div className="status status-empty" data-testid="customer-no-match">
                {t('customers.noMatch')}
              </div>
            ) : (
              <Empty />
            ))}
          {customers.items.length > 0 && <CustomerTable items={customers.items} />}
          <LoadMore
            count={customers.items.length}
            hasMore={customers.hasMore}
            loading={customers.loading}
            onMore={customers.loadMore}
          />
        </Panel>
      )}
    </>
  );
}
