import { useEffect, useState, type FormEvent } from 'react';
import { useAction, useResource } from '../../hooks';
import { useI18n } from '../../i18n';
import { can, useMe } from '../../me';
import type { MessageChannelView, MessagingSettings as Rules } from '../../messaging';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { ActionError, ErrorMessage, Loading } from '../Status';
import { ChannelForm } from './ChannelForm';

/** 营销消息 settings: each channel's adapter (admins), quiet hours and the frequency cap (marketers read them). */
export function MessagingSettings() {
  const { t } = useI18n();
  const me = useMe();
  if (!can(me, 'readMessages')) return null;
  return (
    <Panel title={t('msg.settings')} hint={t('msg.settingsHint')} testId="messaging-settings">
      {can(me, 'manageMessaging') && <Channels />}
      <RulesForm editable={can(me, 'manageMessaging')} />
    </Panel>
  );
}

function Channels() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useResource<{ items: MessageChannelView[] }>('/v1/message-channels');
  return (
    <div data-testid="message-channels">
      <h3>{t('msg.channels')}</h3>
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && loading && <Loading />}
      {data?.items.map((c) => (
        <ChannelForm key={c.channel} channel={c} onSaved={reload} />
      ))}
      <p className="muted small">{t('msg.secretHint')}</p>
    </div>
  );
}

function RulesForm({ editable }: { editable: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const { data, error, loading, reload } = useResource<Rules>('/v1/settings/messaging');
  const [quietOn, setQuietOn] = useState(false);
  const [start, setStart] = useState('21:00');
  const [end, setEnd] = useState('09:00');
  const [capOn, setCapOn] = useState(false);
  const [max, setMax] = useState('2');
  const [days, setDays] = useState('7');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  useEffect(() => {
    if (!data) return;
    setQuietOn(data.quiet_hours !== null);
    if (data.quiet_hours) {
      setStart(data.quiet_hours.start);
      setEnd(data.quiet_hours.end);
    }
    setCapOn(data.frequency_cap !== null);
    if (data.frequency_cap) {
      setMax(String(data.frequency_cap.max));
      setDays(String(data.frequency_cap.days));
    }
  }, [data]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const body: Rules = {
      quiet_hours: quietOn ? { start, end } : null,
      frequency_cap: capOn ? { max: Number(max), days: Number(days) } : null,
    };
    if (await save.run(() => api.put<Rules>('/v1/settings/messaging', body))) {
      setSaved(true);
      reload();
    }
  }

  if (error) return <ErrorMessage error={error} onRetry={reload} />;
  if (!data) return loading ? <Loading /> : null;
  return (
    <form onSubmit={submit} noValidate data-testid="messaging-rules">
      <h3>{t('msg.quiet')}</h3>
      <div className="form-row">
        <label className="field-inline">
          <input
            type="checkbox"
            checked={quietOn}
            disabled={!editable}
            onChange={(e) => setQuietOn(e.target.checked)}
            data-testid="quiet-on"
          />
          <span>{t('msg.quietOn')}</span>
        </label>
        <label className="field">
          <span>{t('msg.quietStart')}</span>
          <input
            type="time"
            value={start}
            disabled={!editable || !quietOn}
            onChange={(e) => setStart(e.target.value)}
            data-testid="quiet-start"
          />
        </label>
        <label className="field">
          <span>{t('msg.quietEnd')}</span>
          <input
            type="time"
            value={end}
            disabled={!editable || !quietOn}
            onChange={(e) => setEnd(e.target.value)}
            data-testid="quiet-end"
          />
        </label>
      </div>
      <h3>{t('msg.cap')}</h3>
      <div className="form-row">
        <label className="field-inline">
          <input
            type="checkbox"
            checked={capOn}
            disabled={!editable}
            onChange={(e) => setCapOn(e.target.checked)}
            data-testid="cap-on"
          />
          <span>{t('msg.capOn')}</span>
        </label>
        <label className="field">
          <span>{t('msg.capMax')}</span>
          <input
            type="number"
            min={1}
            max={100}
            value={max}
            disabled={!editable || !capOn}
            onChange={(e) => setMax(e.target.value)}
            data-testid="cap-max"
          />
        </label>
        <label className="field">
          <span>{t('msg.capDays')}</span>
          <input
            type="number"
            min={1}
            max={365}
            value={days}
            disabled={!editable || !capOn}
            onChange={(e) => setDays(e.target.value)}
            data-testid="cap-days"
          />
        </label>
        {editable && (
          <button type="submit" className="btn btn-primary" disabled={save.busy} data-testid="messaging-save">
            {t('msg.save')}
          </button>
        )}
        {saved && (
          <span className="status status-ok" role="status" data-testid="messaging-saved">
            {t('msg.saved')}
          </span>
        )}
      </div>
      <ActionError error={save.error} testId="messaging-error" />
    </form>
  );
}
