import { useState, type FormEvent } from 'react';
import type { OrderDetail } from '../api';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { can, useMe } from '../me';
import { useApi } from '../session';
import { ReturnForm } from './ReturnForm';
import { ActionError } from './Status';

/** Order statuses the API may cancel (a paid one only while no fulfilment has left the store). */
const CANCELLABLE = new Set(['pending_payment', 'paid', 'in_fulfilment', 'ready_for_pickup']);
/** Order statuses the API takes returns for. */
const RETURNABLE = new Set(['paid', 'in_fulfilment', 'ready_for_pickup', 'shipped', 'completed', 'fulfilment_failed']);

type Open = null | 'cancel' | 'return';

/** Pay, cancel and return, as the signed-in role may; the API's refusals are shown next to the buttons. */
export function OrderActions({ order, onChanged }: { order: OrderDetail; onChanged: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const action = useAction();
  const [open, setOpen] = useState<Open>(null);
  const [paymentRef, setPaymentRef] = useState('');
  const [reason, setReason] = useState('');
  const path = `/v1/orders/${encodeURIComponent(order.id)}`;

  const canPay = order.status === 'pending_payment' && can(me, 'payOrder');
  const canCancel = CANCELLABLE.has(order.status) && can(me, 'cancelOrder');
  const returnable = order.lines.some((l) => l.qty > l.returned_qty);
  const canReturn = RETURNABLE.has(order.status) && returnable && can(me, 'returnOrder');
  if (!canPay && !canCancel && !canReturn) return null;

  async function pay(e: FormEvent) {
    e.preventDefault();
    const ref = paymentRef.trim();
    if (!ref) return;
    if (await action.run(() => api.post(`${path}/pay`, { payment_ref: ref }))) {
      setPaymentRef('');
      onChanged();
    }
  }

  async function cancel(e: FormEvent) {
    e.preventDefault();
    const body = reason.trim() ? { reason: reason.trim() } : {};
    if (await action.run(() => api.post(`${path}/cancel`, body))) {
      setOpen(null);
      setReason('');
      onChanged();
    }
  }

  const toggle = (which: Open) => {
    action.clear();
    setOpen(open === which ? null : which);
  };

  return (
    <div className="order-actions" data-testid="order-actions">
      {canPay && (
        <form className="inline-form" onSubmit={pay} noValidate>
          <input
            value={paymentRef}
            maxLength={200}
            placeholder={t('actions.paymentRef')}
            aria-label={t('actions.paymentRef')}
            onChange={(e) => setPaymentRef(e.target.value)}
            data-testid="pay-ref"
          />
          <button
            type="submit"
            className="btn btn-primary"
            disabled={action.busy || !paymentRef.trim()}
            data-testid="pay-submit"
          >
            {t('actions.pay')}
          </button>
        </form>
      )}
      <div className="action-buttons">
        {canCancel && (
          <button
            type="button"
            className={'btn btn-danger' + (open === 'cancel' ? ' pressed' : '')}
            aria-expanded={open === 'cancel'}
            onClick={() => toggle('cancel')}
            data-testid="cancel-open"
          >
            {t('actions.cancel')}
          </button>
        )}
        {canReturn && (
          <button
            type="button"
            className={'btn' + (open === 'return' ? ' pressed' : '')}
            aria-expanded={open === 'return'}
            onClick={() => toggle('return')}
            data-testid="return-open"
          >
            {t('actions.return')}
          </button>
        )}
      </div>
      {open === 'cancel' && (
        <form className="inline-form" onSubmit={cancel} noValidate data-testid="cancel-form">
          <input
            value={reason}
            maxLength={200}
            placeholder={t('actions.cancelReason')}
            aria-label={t('actions.cancelReason')}
            onChange={(e) => setReason(e.target.value)}
            data-testid="cancel-reason"
          />
          <button type="submit" className="btn btn-danger" disabled={action.busy} data-testid="cancel-submit">
            {t('actions.cancelConfirm')}
          </button>
        </form>
      )}
      {open !== 'return' && <ActionError error={action.error} testId="order-action-error" />}
      {open === 'return' && (
        <ReturnForm
          order={order}
          onDone={() => {
            setOpen(null);
            onChanged();
          }}
        />
      )}
    </div>
  );
}
