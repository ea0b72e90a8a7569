import { useState, type FormEvent } from 'react';
import { ApiError, type Fulfilment } from '../api';
import { formatDateTime } from '../format';
import { awaitsCollection, nextSteps, type StoreStep } from '../fulfilment';
import { useAction } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { can, useMe } from '../me';
import { href } from '../router';
import { useApi } from '../session';
import { StatusBadge } from './Badges';
import { SkuWithName } from './ProductName';
import { ActionError, errorText } from './Status';

/** The counter's hand-over: the customer's pickup code, checked by the API. */
function HandOver({ fulfilment, onDone }: { fulfilment: Fulfilment; onDone: (f: Fulfilment) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [code, setCode] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const pickup_code = code.trim();
    if (!pickup_code) return;
    const f = await action.run(() =>
      api.post<Fulfilment>(`/v1/fulfillments/${encodeURIComponent(fulfilment.id)}/collect`, { pickup_code }),
    );
    if (f) onDone(f);
  }

  const wrong = action.error instanceof ApiError && action.error.code === 'invalid_pickup_code';
  return (
    <form className="handover" onSubmit={submit} noValidate data-testid="handover">
      <label className="handover-label" htmlFor={`code-${fulfilment.id}`}>
        {t('handover.title')}
      </label>
      <div className="handover-row">
        <input
          id={`code-${fulfilment.id}`}
          className={'handover-code' + (wrong ? ' invalid' : '')}
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          maxLength={20}
          placeholder={t('handover.placeholder')}
          value={code}
          aria-invalid={wrong}
          onChange={(e) => {
            setCode(e.target.value);
            if (action.error) action.clear();
          }}
          data-testid="handover-code"
        />
        <button
          type="submit"
          className="btn btn-primary btn-big"
          disabled={action.busy || !code.trim()}
          data-testid="handover-submit"
        >
          {t('handover.submit')}
        </button>
      </div>
      {action.error && (
        <div
          className="status status-error"
          role="alert"
          data-testid="handover-error"
          data-code={action.error instanceof ApiError ? action.error.code : undefined}
        >
          {wrong ? t('handover.wrongCode') : errorText(t, action.error)}
        </div>
      )}
    </form>
  );
}

/**
 * One fulfilment in a store's queue, for a tablet at the counter: what to pick, big buttons for the
 * next steps, and for a pickup that is ready, the hand-over box.
 */
export function TaskCard({
  fulfilment: f,
  onUpdated,
  done = false,
}: {
  fulfilment: Fulfilment;
  onUpdated: (f: Fulfilment) => void;
  done?: boolean;
}) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const action = useAction();
  const steps = done || !can(me, 'advanceFulfilment') ? [] : nextSteps(f);
  const last = f.events[f.events.length - 1];

  async function advance(step: StoreStep) {
    const updated = await action.run(() =>
      api.post<Fulfilment>(`/v1/fulfillments/${encodeURIComponent(f.id)}/events`, { type: step }),
    );
    if (updated) onUpdated(updated);
  }

  return (
    <article
      className={'task-card' + (done ? ' task-done' : '') + ` task-${f.type}`}
      data-testid="task-card"
      data-fulfilment={f.id}
      data-order={f.order_id}
      data-status={f.status}
    >
      <header className="task-head">
        <span className={`badge badge-type-${f.type}`}>
          {translateValue(t, 'fulfillment', f.type)}
          {f.speed && <> · {translateValue(t, 'speed', f.speed)}</>}
        </span>
        <span data-testid="task-status">
          <StatusBadge status={f.status} />
        </span>
      </header>
      <div className="task-order">
        <a className="mono" href={href('orders', f.order_id)}>
          {f.order_id}
        </a>
        <span className="muted small">
          {t('store.since', { time: formatDateTime(f.created_at, lang) })}
          {f.eta && <> · {t('store.eta', { time: formatDateTime(f.eta, lang) })}</>}
        </span>
      </div>
      <ul className="task-lines">
        {f.lines.map((l) => (
          <li key={l.sku}>
            <span className="task-qty">{l.qty}×</span>
            <SkuWithName sku={l.sku} name={l.product_name} link={false} />
          </li>
        ))}
      </ul>
      {done && last && (
        <div className="task-finished" role="status" data-testid="task-finished">
          ✓ {translateValue(t, 'event', last.type)} · {formatDateTime(last.at, lang)}
        </div>
      )}
      {steps.length > 0 && (
        <div className="task-steps">
          {steps.map((s, i) => (
            <button
              key={s}
              type="button"
              className={'btn btn-big' + (i === 0 ? ' btn-primary' : '')}
              disabled={action.busy}
              onClick={() => advance(s)}
              data-testid={`step-${s}`}
            >
              {t(`step.${s}` as MessageKey)}
            </button>
          ))}
        </div>
      )}
      <ActionError error={action.error} testId="task-error" />
      {!done && awaitsCollection(f) && can(me, 'collect') && <HandOver fulfilment={f} onDone={onUpdated} />}
    </article>
  );
}
