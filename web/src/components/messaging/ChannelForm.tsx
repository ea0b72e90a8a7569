import { useState, type FormEvent } from 'react';
import { useAction } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import type { MessageChannelBody, MessageChannelView } from '../../messaging';
import { useApi } from '../../session';
import { ActionError } from '../Status';

/** One message channel's adapter: record only, or a signed webhook (URL + secret, the secret never shown again). */
export function ChannelForm({ channel, onSaved }: { channel: MessageChannelView; onSaved: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [adapter, setAdapter] = useState(channel.adapter);
  const [url, setUrl] = useState(channel.url ?? '');
  const [secret, setSecret] = useState('');
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const name = t(`msg.channel.${channel.channel}` as MessageKey);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const body: MessageChannelBody = adapter === 'webhook' ? { adapter, url: url.trim(), secret } : { adapter };
    if (await save.run(() => api.put(`/v1/message-channels/${channel.channel}`, body))) {
      setSaved(true);
      setSecret('');
      onSaved();
    }
  }

  return (
    <form className="form-row" onSubmit={submit} noValidate data-testid={`channel-form-${channel.channel}`}>
      <strong className="nowrap">{name}</strong>
      <label className="field">
        <span>{t('msg.adapter')}</span>
        <select
          value={adapter}
          onChange={(e) => setAdapter(e.target.value as MessageChannelView['adapter'])}
          data-testid="channel-adapter"
        >
          <option value="log">{t('msg.adapter.log')}</option>
          <option value="webhook">{t('msg.adapter.webhook')}</option>
        </select>
      </label>
      {adapter === 'webhook' && (
        <>
          <label className="field">
            <span>{t('msg.url')}</span>
            <input
              type="url"
              value={url}
              placeholder="https://"
              onChange={(e) => setUrl(e.target.value)}
              data-testid="channel-url"
            />
          </label>
          <label className="field">
            <span>{t('msg.secret')}</span>
            <input
              type="password"
              value={secret}
              autoComplete="new-password"
              title={t('msg.secretHint')}
              onChange={(e) => setSecret(e.target.value)}
              data-testid="channel-secret"
            />
          </label>
        </>
      )}
      <button type="submit" className="btn" disabled={save.busy} data-testid="channel-save">
        {t('msg.saveChannel')}
      </button>
      {saved && (
        <span className="status status-ok" role="status" data-testid="channel-saved">
          {t('msg.channelSaved', { channel: name })}
        </span>
      )}
      <ActionError error={save.error} testId={`channel-error-${channel.channel}`} />
    </form>
  );
}
