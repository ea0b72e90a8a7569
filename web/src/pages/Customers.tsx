import { useState, type FormEvent } from 'react';
import type { Customer } from '../api';
import { ChannelBadge } from '../components/Badges';
import { IdentifierChips, KindBadge, TAG_PATTERN, TagChips } from '../components/CustomerBits';
import { SegmentCustomerTable, SegmentFilterSelect, type SegmentFilter } from '../components/marketing/CustomerFilter';
import { PageHeader, Panel } from '../components/PageHeader';
import { Empty, ErrorMessage, LoadMore, Loading } from '../components/Status';
import { formatDateTime } from '../format';
import { usePagedList } from '../hooks';
import { useI18n } from '../i18n';
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
            {t(m === 'contact' ? 'customers.byContact' : 'customers.byTag')}
          </button>
        ))}
      </div>
      <input
        type="search"
        className="search"
        value={text}
        maxLength={200}
        placeholder={t(mode === 'contact' ? 'customers.contactPlaceholder' : 'customers.tagPlaceholder')}
        aria-label={t(mode === 'contact' ? 'customers.contactPlaceholder' : 'customers.tagPlaceholder')}
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
            ? t('customers.contactAudited')
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

/** Customers: every one, by tag, or (admin, support, store staff) by an exact phone, e-mail or card. */
export function Customers() {
  const { t, lang } = useI18n();
  const me = useMe();
  const [chosenMode, setMode] = useState<Mode | null>(null);
  // Roles that may not search by contact data start on tags.
  const mode: Mode = chosenMode ?? (me && !can(me, 'searchContacts') ? 'tag' : 'contact');
  const [search, setSearch] = useState<Search>(null);
  // A segment filter and a search exclude each other: choosing one clears the other.
  const [filter, setFilter] = useState<SegmentFilter | null>(null);
  const query = search === null ? {} : search.mode === 'contact' ? { q: search.text } : { tag: search.text };
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
          {search && (
            <p className="search-results" data-testid="customer-search-summary">
              {t(search.mode === 'contact' ? 'customers.resultsFor' : 'customers.resultsForTag', { q: search.text })}
            </p>
          )}
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
          {customers.items.length > 0 && (
            <div className="table-wrap">
              <table className="table table-hover" data-testid="customers-table">
                <thead>
                  <tr>
                    <th>{t('customers.id')}</th>
                    <th>{t('customers.kind')}</th>
                    <th>{t('customers.firstChannel')}</th>
                    <th>{t('customers.createdAt')}</th>
                    <th>{t('customers.identifiers')}</th>
                    <th>{t('customers.tags')}</th>
                  </tr>
                </thead>
                <tbody>
                  {customers.items.map((c) => (
                    <tr
                      key={c.id}
                      onClick={() => navigate('customers', c.id)}
                      data-testid="customer-row"
                      data-customer={c.id}
                    >
                      <td>
                        <a className="mono" href={href('customers', c.id)} onClick={(e) => e.stopPropagation()}>
                          {c.id}
                        </a>
                      </td>
                      <td>
                        <KindBadge kind={c.kind} />
                      </td>
                      <td>
                        <ChannelBadge channel={c.first_channel} />
                      </td>
                      <td className="nowrap">{formatDateTime(c.created_at, lang)}</td>
                      <td>
                        <IdentifierChips identifiers={c.identifiers} />
                      </td>
                      <td>
                        <TagChips tags={c.tags} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
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
