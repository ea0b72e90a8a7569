import { useState, type FormEvent } from 'react';
import type { OrderDetail, OrderReturn } from '../api';
import { formatDateTime, formatFen } from '../format';
import { useAction, useResource } from '../hooks';
import { useI18n } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { boundLocation, useMe } from '../me';
import { useApi } from '../session';
import { SkuWithName } from './ProductName';
import { ActionError, ErrorMessage } from './Status';

/** Units of each line to take back, the location that restocks them and why. */
export function ReturnForm({ order, onDone }: { order: OrderDetail; onDone: (r: OrderReturn) => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const { list: locations, byId } = useLocations();
  const bound = boundLocation(me);
  const [qty, setQty] = useState<Record<string, string>>({});
  const [location, setLocation] = useState(bound ?? order.location_id ?? order.allocations[0]?.location_id ?? '');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const action = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const lines = order.lines
      .map((l) => ({ sku: l.sku, qty: Number(qty[l.sku] ?? 0) }))
      .filter((l) => Number.isInteger(l.qty) && l.qty > 0);
    if (lines.length === 0) return setInvalid(t('returns.noLines'));
    if (!location) return setInvalid(t('returns.locationRequired'));
    if (!reason.trim()) return setInvalid(t('returns.reasonRequired'));
    setInvalid(null);
    const created = await action.run(() =>
      api.post<OrderReturn>(`/v1/orders/${encodeURIComponent(order.id)}/returns`, {
        lines,
        location_id: location,
        reason: reason.trim(),
      }),
    );
    if (created) onDone(created);
  }

  return (
    <form className="return-form" onSubmit={submit} noValidate data-testid="return-form">
      <table className="table table-compact">
        <thead>
          <tr>
            <th>{t('orders.sku')}</th>
            <th className="num">{t('returns.bought')}</th>
            <th className="num">{t('returns.returned')}</th>
            <th className="num">{t('returns.qty')}</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((l) => {
            const left = l.qty - l.returned_qty;
            return (
              <tr key={l.sku}>
                <td>
                  <SkuWithName sku={l.sku} name={l.product_name} link={false} />
                </td>
                <td className="num">{l.qty}</td>
                <td className="num">{l.returned_qty}</td>
                <td className="num">
                  <input
                    type="number"
                    className="qty-input"
                    min={0}
                    max={left}
                    step={1}
                    disabled={left <= 0}
                    value={qty[l.sku] ?? ''}
                    placeholder="0"
                    aria-label={t('returns.qtyOf', { sku: l.sku })}
                    onChange={(e) => setQty({ ...qty, [l.sku]: e.target.value })}
                    data-testid={`return-qty-${l.sku}`}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="form-grid">
        <label className="field">
          <span>{t('returns.location')}</span>
          <select
            value={location}
            disabled={!!bound}
            onChange={(e) => setLocation(e.target.value)}
            data-testid="return-location"
          >
            <option value="">{t('common.none')}</option>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {locationLabel(byId, l.id, lang)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('returns.reason')}</span>
          <input
            value={reason}
            maxLength={200}
            onChange={(e) => setReason(e.target.value)}
            data-testid="return-reason"
          />
        </label>
      </div>
      {invalid && (
        <div className="status status-error form-error" role="alert" data-testid="return-invalid">
          {invalid}
        </div>
      )}
      <ActionError error={action.error} testId="return-error" />
      <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="return-submit">
        {t('returns.submit')}
      </button>
    </form>
  );
}

/** The order's returns so far, with what each refunded (give it a new key to load them again). */
export function ReturnsList({ orderId }: { orderId: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const { data, error, reload } = useResource<{ items: OrderReturn[] }>(
    `/v1/orders/${encodeURIComponent(orderId)}/returns`,
  );
  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return null;
  if (data.items.length === 0)
    return (
      <p className="muted small" data-testid="returns-empty">
        {t('returns.none')}
      </p>
    );
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="returns-table">
        <thead>
          <tr>
            <th>{t('returns.createdAt')}</th>
            <th>{t('returns.location')}</th>
            <th>{t('orders.lines')}</th>
            <th>{t('returns.reason')}</th>
            <th className="num">{t('returns.refund')}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((r) => (
            <tr key={r.id} data-testid="return-row">
              <td className="nowrap">
                <div>{formatDateTime(r.created_at, lang)}</div>
                <div className="mono muted small">{r.id}</div>
              </td>
              <td>{locationLabel(byId, r.location_id, lang)}</td>
              <td>
                <div className="chips">
                  {r.lines.map((l) => (
                    <span key={l.sku} className="chip">
                      {l.product_name ?? <span className="mono">{l.sku}</span>} × {l.qty}
                    </span>
                  ))}
                </div>
              </td>
              <td>{r.reason}</td>
              <td className="num">{formatFen(r.refund_amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
