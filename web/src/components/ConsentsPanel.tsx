import { useState } from 'react';
import { CONSENT_PURPOSES, type ConsentState, type Consents } from '../api';
import { formatDateTime } from '../format';
import { useAction, useResource } from '../hooks';
import { translateValue, useI18n } from '../i18n';
import { can, useMe } from '../me';
import { useApi } from '../session';
import { ErrorMessage, ActionError, Loading } from './Status';

/**
 * Where a consent recorded here was given: the back office. The API has a `console` consent channel
 * for this (next to the sales channels, `call_center` and `import`), so a consent taken by staff is
 * not mistaken for one the customer gave in the web shop.
 */
const CONSENT_CHANNEL = 'console';
const CONSENT_SOURCE = 'console';

function History({ history }: { history: Consents['history'] }) {
  const { t, lang } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="consent-history">
        <thead>
          <tr>
            <th>{t('profile.since')}</th>
            <th>{t('profile.purpose')}</th>
            <th>{t('profile.state')}</th>
            <th>{t('orders.channel')}</th>
            <th>{t('profile.source')}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h, i) => (
            <tr key={i} data-testid="consent-history-row">
              <td className="nowrap small">{formatDateTime(h.at, lang)}</td>
              <td>{translateValue(t, 'purpose', h.purpose)}</td>
              <td className={h.granted ? 'yes' : 'no'}>{t(h.granted ? 'profile.granted' : 'profile.withdrawn')}</td>
              <td className="nowrap">{translateValue(t, 'channel', h.channel)}</td>
              <td className="mono small">{h.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Consent per purpose (not granted unless recorded) with its history; staff record a grant or withdrawal. */
export function ConsentsPanel({ customerId, onChanged }: { customerId: string; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const api = useApi();
  const me = useMe();
  const action = useAction();
  const [showHistory, setShowHistory] = useState(false);
  const path = `/v1/customers/${encodeURIComponent(customerId)}/consents`;
  const { data, error, loading, reload } = useResource<Consents>(path);
  const editable = can(me, 'recordConsent');

  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return loading ? <Loading /> : null;

  // Every purpose the console knows, in a fixed order, whatever the API lists.
  const byPurpose = new Map(data.consents.map((c) => [c.purpose, c]));
  const rows: ConsentState[] = [
    ...CONSENT_PURPOSES.map(
      (p) => byPurpose.get(p) ?? { purpose: p, granted: false, at: null, channel: null, source: null },
    ),
    ...data.consents.filter((c) => !(CONSENT_PURPOSES as readonly string[]).includes(c.purpose)),
  ];

  async function record(purpose: string, granted: boolean) {
    const done = await action.run(() =>
      api.put(`${path}/${encodeURIComponent(purpose)}`, { granted, channel: CONSENT_CHANNEL, source: CONSENT_SOURCE }),
    );
    if (done) {
      reload();
      onChanged();
    }
  }

  return (
    <div data-testid="consents">
      <div className="table-wrap">
        <table className="table table-compact" data-testid="consents-table">
          <thead>
            <tr>
              <th>{t('profile.purpose')}</th>
              <th>{t('profile.state')}</th>
              <th>{t('profile.since')}</th>
              {editable && <th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.purpose} data-testid="consent-row" data-purpose={c.purpose} data-granted={String(c.granted)}>
                <td>{translateValue(t, 'purpose', c.purpose)}</td>
                <td>
                  <span className={'badge ' + (c.granted ? 'badge-ok' : 'badge-muted')} data-testid="consent-state">
                    {t(c.granted ? 'profile.granted' : c.at ? 'profile.withdrawn' : 'profile.notGranted')}
                  </span>
                </td>
                <td className="small nowrap">
                  {c.at ? (
                    <>
                      <span className="nowrap">{formatDateTime(c.at, lang)}</span>
                      <span className="muted"> · {translateValue(t, 'channel', c.channel)}</span>
                    </>
                  ) : (
                    <span className="muted">{t('profile.consentNever')}</span>
                  )}
                </td>
                {editable && (
                  <td className="num">
                    <button
                      type="button"
                      className={'btn btn-small' + (c.granted ? ' btn-danger' : '')}
                      disabled={action.busy}
                      onClick={() => record(c.purpose, !c.granted)}
                      data-testid={`consent-toggle-${c.purpose}`}
                    >
                      {t(c.granted ? 'profile.withdraw' : 'profile.grant')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ActionError error={action.error} testId="consent-error" />
      {data.history.length > 0 && (
        <>
          <button
            type="button"
            className="btn btn-small btn-link"
            aria-expanded={showHistory}
            onClick={() => setShowHistory((s) => !s)}
            data-testid="consent-history-toggle"
          >
            {t(showHistory ? 'profile.hideHistory' : 'profile.consentHistory', { count: data.history.length })}
          </button>
          {showHistory && <History history={data.history} />}
        </>
      )}
    </div>
  );
}
