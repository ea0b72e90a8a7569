import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, type OrderDetail, type Profile } from '../api';
import { StatusBadge } from '../components/Badges';
import { IdentifierChips } from '../components/CustomerBits';
import { CouponList } from '../components/loyalty/CouponList';
import { LinkIdentifier } from '../components/loyalty/LinkIdentifier';
import { MemberLookup, type FoundBy } from '../components/loyalty/MemberLookup';
import { Adjustments, QuoteView } from '../components/loyalty/QuoteView';
import { TillBasket, type BasketLine } from '../components/loyalty/TillBasket';
import { TierBadge } from '../components/loyalty/WalletPanel';
import { PaymentMethodPicker } from '../components/till/PaymentMethodPicker';
import { PrintableReceipt } from '../components/till/PrintableReceipt';
import { PageHeader, Panel } from '../components/PageHeader';
import { StorePicker } from '../components/StorePicker';
import { TillOffers } from '../components/till/TillOffers';
import { ActionError, ErrorMessage, Loading } from '../components/Status';
import { formatFen, formatInt, localName } from '../format';
import { useAction, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { useLocations } from '../locations';
import { newIdempotencyKey, type Adjustment, type Coupon, type Quote, type QuoteCoupon, type Wallet } from '../loyalty';
import { boundLocation, can, useMe } from '../me';
import { href } from '../router';
import { useApi } from '../session';
import type { PaymentMethod } from '../till';

/** What the printed receipt needs beyond the order: the store's name and the products' names. */
interface SoldReceipt {
  storeName: string;
  names: ReadonlyMap<string, string>;
}

/** POST /v1/orders answers with the order and what priced it. */
type PlacedOrder = OrderDetail & { pricing?: { coupons: QuoteCoupon[]; adjustments: Adjustment[] } };

/** The quote of the basket, asked again (debounced) whenever the body changes; older answers are dropped. */
function useQuote(body: object | null): { quote: Quote | null; error: Error | null; loading: boolean } {
  const api = useApi();
  const key = body ? JSON.stringify(body) : null;
  const [state, setState] = useState<{ key: string | null; quote: Quote | null; error: Error | null }>({
    key: null,
    quote: null,
    error: null,
  });
  const generation = useRef(0);
  useEffect(() => {
    const gen = ++generation.current;
    if (!key) return;
    const timer = window.setTimeout(() => {
      api.post<Quote>('/v1/quote', JSON.parse(key)).then(
        (quote) => gen === generation.current && setState({ key, quote, error: null }),
        (error: unknown) =>
          gen === generation.current &&
          setState({ key, quote: null, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    }, 200);
    return () => window.clearTimeout(timer);
  }, [api, key]);
  if (!key) return { quote: null, error: null, loading: false };
  const current = state.key === key;
  return { quote: current ? state.quote : null, error: current ? state.error : null, loading: !current };
}

/** A code typed or scanned at the till, checked first (GET /v1/coupons/:code for pos at this store). */
function CodeEntry({ location, onAdd }: { location: string; onAdd: (code: string) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [code, setCode] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  async function check(e: FormEvent) {
    e.preventDefault();
    const v = code.trim();
    if (!v) return;
    setRefused(null);
    const c = await action.run(() =>
      api.get<Coupon>(`/v1/coupons/${encodeURIComponent(v)}`, { channel: 'pos', location_id: location }),
    );
    if (!c) return;
    if (!c.usable) return setRefused(`${c.display}: ${c.message ?? translateValue(t, 'loyalty.status', c.status)}`);
    onAdd(c.code);
    setCode('');
  }
  return (
    <form className="inline-form" onSubmit={check} noValidate data-testid="till-code">
      <input
        value={code}
        className="mono"
        placeholder={t('till.codePlaceholder')}
        aria-label={t('till.code')}
        onChange={(e) => setCode(e.target.value)}
        data-testid="till-code-input"
      />
      <button type="submit" className="btn" disabled={action.busy || !code.trim()} data-testid="till-code-add">
        {t('till.codeAdd')}
      </button>
      {refused && (
        <div className="status status-error form-error" role="alert" data-testid="till-code-refused">
          {refused}
        </div>
      )}
      <ActionError error={action.error} testId="till-code-error" />
    </form>
  );
}

interface MemberWalletProps {
  member: Profile;
  by: FoundBy;
  location: string;
  picked: string[];
  onToggle: (code: string) => void;
  onClear: () => void;
  onLinked: (p: Profile) => void;
}

/**
 * The member found at the till: who, tier, points, and the coupons usable here (pos at this store), best first;
 * a new phone or e-mail can be linked to them (with the member's one-time code when the API asks for it).
 */
function MemberWallet({ member, by, location, picked, onToggle, onClear, onLinked }: MemberWalletProps) {
  const { t } = useI18n();
  const [linking, setLinking] = useState(false);
  const [linked, setLinked] = useState(false);
  const wallet = useResource<Wallet>(`/v1/customers/${encodeURIComponent(member.id)}/wallet`, {
    channel: 'pos',
    location_id: location,
  });
  const w = wallet.data;
  return (
    <div className="till-member" data-testid="till-member" data-customer={member.id}>
      <div className="till-member-head">
        <div>
          <a className="mono" href={href('customers', member.id)} data-testid="till-member-id">
            {member.id}
          </a>
          <IdentifierChips
            identifiers={member.identifiers.map((i) => ({ type: i.type, masked: i.masked ?? i.value ?? null }))}
          />
        </div>
        <div className="page-actions">
          {by.type !== 'id' && !linking && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setLinking(true)}
              data-testid="till-link-open"
            >
              {t('tillLink.open')}
            </button>
          )}
          <button type="button" className="btn btn-small" onClick={onClear} data-testid="till-member-clear">
            {t('till.changeMember')}
          </button>
        </div>
      </div>
      {linked && (
        <div className="status status-ok" role="status" data-testid="till-link-done">
          {t('tillLink.done')}
        </div>
      )}
      {linking && by.type !== 'id' && (
        <LinkIdentifier
          member={member}
          by={{ type: by.type, value: by.value }}
          onLinked={(p) => {
            setLinking(false);
            setLinked(true);
            onLinked(p);
          }}
        />
      )}
      {wallet.error && <ErrorMessage error={wallet.error} onRetry={wallet.reload} />}
      {!w && !wallet.error && <Loading />}
      {w && (
        <>
          <div className="wallet-head">
            <TierBadge tier={w.tier} />
            <span data-testid="till-points">
              {t('till.pointsBalance', { points: formatInt(w.points.balance), value: formatFen(w.points.value) })}
            </span>
          </div>
          <h3>{t('till.usableHere')}</h3>
          <CouponList coupons={w.coupons} picked={picked} onToggle={onToggle} testId="till-coupons" />
        </>
      )}
    </div>
  );
}

/** After the sale: the order, what it cost, every adjustment that priced it, and its receipt to print. */
function Receipt({ order, onNext, sold }: { order: PlacedOrder; onNext: () => void; sold: SoldReceipt }) {
  const { t } = useI18n();
  return (
    <Panel title={t('till.done')} testId="till-receipt">
      <div className="status status-ok" role="status">
        <span>
          {t('till.placed')}{' '}
          <a className="mono" href={href('orders', order.id)} data-testid="till-order-id">
            {order.id}
          </a>
        </span>
        <StatusBadge status={order.status} />
      </div>
      {order.pricing && <Adjustments adjustments={order.pricing.adjustments} coupons={[]} />}
      <dl className="totals">
        <dt>{t('orders.subtotal')}</dt>
        <dd>{formatFen(order.totals.subtotal)}</dd>
        <dt>{t('orders.discount')}</dt>
        <dd>{formatFen(-order.totals.discount)}</dd>
        <dt className="grand">{t('till.paid')}</dt>
        <dd className="grand" data-testid="till-order-total">
          {formatFen(order.totals.total)}
        </dd>
      </dl>
      <PrintableReceipt order={order} storeName={sold.storeName} names={sold.names} />
      <button type="button" className="btn btn-primary btn-big" onClick={onNext} data-testid="till-next">
        {t('till.next')}
      </button>
    </Panel>
  );
}

/** One sale at one store: member, basket, coupons and points, the live quote, and placing the in-store order. */
function Sale({ location, storeName, onDone }: { location: string; storeName: string; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [member, setMember] = useState<Profile | null>(null);
  const [foundBy, setFoundBy] = useState<FoundBy | null>(null);
  const [lines, setLines] = useState<BasketLine[]>([]);
  const [codes, setCodes] = useState<string[]>([]);
  const [points, setPoints] = useState('');
  const [placed, setPlaced] = useState<PlacedOrder | null>(null);
  const [method, setMethod] = useState<PaymentMethod>('wechat_pay');
  const pointsN = points.trim() === '' ? 0 : Math.floor(Number(points));

  const body = useMemo(() => {
    if (lines.length === 0) return null;
    return {
      channel: 'pos',
      ...(member ? { customer: { id: member.id } } : {}),
      lines: lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      fulfillment: { type: 'in_store', location_id: location },
      ...(codes.length ? { coupon_codes: codes } : {}),
      ...(member && pointsN > 0 ? { points: pointsN } : {}),
    };
  }, [lines, member, codes, pointsN, location]);
  const bodyKey = body ? JSON.stringify(body) : '';
  // One Idempotency-Key per basket and payment method: pressing "place" twice (or again after a lost answer) places one order.
  const idem = useMemo(() => (bodyKey ? newIdempotencyKey('till') : ''), [bodyKey, method]);
  const { quote, error: quoteError, loading: quoting } = useQuote(body);

  async function place() {
    if (!body) return;
    const order = await action.run(() =>
      api.post<PlacedOrder>('/v1/orders', { ...body, payment_method: method }, { idempotencyKey: idem }),
    );
    if (order) setPlaced(order);
  }

  if (placed)
    return (
      <>
        <Receipt
          order={placed}
          onNext={onDone}
          sold={{ storeName, names: new Map(lines.map((l) => [l.sku, l.name])) }}
        />
        {member && <TillOffers customer={member.id} location={location} />}
      </>
    );

  const toggle = (code: string) => setCodes((cs) => (cs.includes(code) ? cs.filter((c) => c !== code) : [...cs, code]));
  const issues = quote?.issues ?? [];
  const canPlace = !!body && !!quote && issues.length === 0 && !quoting && !action.busy;

  return (
    <div className="till" data-testid="till-sale">
      <div className="till-left">
        <Panel title={t('till.member')} hint={t('till.memberHint')} testId="till-member-panel">
          {member && foundBy ? (
            <MemberWallet
              member={member}
              by={foundBy}
              location={location}
              picked={codes}
              onToggle={toggle}
              onClear={() => {
                setMember(null);
                setCodes([]);
                setPoints('');
              }}
              onLinked={setMember}
            />
          ) : (
            <MemberLookup
              testId="till-lookup"
              types={['phone', 'member_card']}
              big
              autoFocus
              onFound={(p, by) => {
                setMember(p);
                setFoundBy(by);
              }}
            />
          )}
        </Panel>
        <Panel title={t('till.basket')} testId="till-basket-panel">
          <TillBasket lines={lines} onChange={setLines} />
        </Panel>
        <Panel title={t('till.couponsAndPoints')} testId="till-discounts">
          <CodeEntry location={location} onAdd={(c) => setCodes((cs) => (cs.includes(c) ? cs : [...cs, c]))} />
          {codes.length > 0 && (
            <div className="chips till-codes" data-testid="till-picked">
              {codes.map((c) => (
                <span key={c} className="chip" data-code={c}>
                  <span className="mono">{c}</span>
                  <button
                    type="button"
                    className="chip-remove"
                    onClick={() => toggle(c)}
                    aria-label={t('loyalty.remove')}
                  >
                    ×
                  </button>
                </span>
              ))}
            </div>
          )}
          {member && (
            <div className="till-points">
              {quote && quote.points.balance !== null && (
                <p className="muted small" data-testid="till-points-balance" data-balance={quote.points.balance}>
                  {t('till.quoteBalance', {
                    points: formatInt(quote.points.balance),
                    usable: formatInt(quote.points.max_usable),
                  })}
                </p>
              )}
              <label className="field">
                <span>{t('till.usePoints')}</span>
                <input
                  type="number"
                  min={0}
                  step={quote?.points.step ?? 1}
                  value={points}
                  onChange={(e) => setPoints(e.target.value)}
                  data-testid="till-points-input"
                />
              </label>
              {quote && quote.points.max_usable > 0 && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setPoints(String(quote.points.max_usable))}
                  data-testid="till-points-max"
                  data-points={quote.points.max_usable}
                >
                  {t('till.pointsMax', { points: formatInt(quote.points.max_usable) })}
                </button>
              )}
            </div>
          )}
        </Panel>
      </div>
      <div className="till-right">
        <Panel title={t('till.quote')} hint={t('till.quoteHint')} testId="till-quote-panel">
          {!body && <p className="muted">{t('till.emptyBasket')}</p>}
          {body && quoteError && <ErrorMessage error={quoteError} />}
          {body && !quote && !quoteError && <Loading />}
          {quote && <QuoteView quote={quote} />}
          {issues.length > 0 && (
            <div className="status status-error" role="alert" data-testid="till-issues">
              <ul>
                {issues.map((i, n) => (
                  <li key={n} data-code={i.code} data-field={i.field}>
                    {i.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <PaymentMethodPicker value={method} onChange={setMethod} />
          <ActionError error={action.error} testId="till-place-error" />
          {action.error instanceof ApiError && action.error.status === 409 && (
            <p className="muted small">{t('till.conflictHint')}</p>
          )}
          <button
            type="button"
            className="btn btn-primary btn-big btn-block"
            disabled={!canPlace}
            onClick={place}
            data-testid="till-place"
          >
            {action.busy
              ? t('common.loading')
              : quote
                ? t('till.place', { total: formatFen(quote.totals.total) })
                : t('till.placeNoTotal')}
          </button>
        </Panel>
      </div>
    </div>
  );
}

/** 门店收银: the till of one store for store staff (their own store) and admins (choosing one). #/till/<location id>. */
export function Till({ selected }: { selected: string | null }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { list: locations, byId } = useLocations();
  const bound = boundLocation(me);
  const location = bound ?? selected;
  const current = location ? byId.get(location) : undefined;
  const [sale, setSale] = useState(0);
  const stores = locations.filter((l) => l.type !== 'dc');

  return (
    <div className="till-page">
      <PageHeader
        title={t('nav.till')}
        subtitle={
          current ? `${localName(current.name, lang)} · ${translateValue(t, 'channel', 'pos')}` : t('till.subtitle')
        }
        actions={
          me && !bound ? (
            <StorePicker page="till" location={location ?? null} stores={stores} testId="till-location" />
          ) : undefined
        }
      />
      {!me && <Loading />}
      {me && !can(me, 'till') && <ErrorMessage error={new ApiError(403, 'forbidden', 'your role may not do this')} />}
      {me && can(me, 'till') && !location && (
        <Panel>
          <p className="muted">{t('till.chooseHint')}</p>
        </Panel>
      )}
      {me && can(me, 'till') && location && (
        <Sale
          key={`${location}-${sale}`}
          location={location}
          storeName={current ? localName(current.name, lang) : location}
          onDone={() => setSale((n) => n + 1)}
        />
      )}
    </div>
  );
}
