import { useState, type FormEvent } from 'react';
import { ApiError, CHANNELS, ROLES, type ApiKey, type Role } from '../api';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { RevenueShareForm } from '../components/RevenueShareForm';
import { RoleFields } from '../components/security/RoleFields';
import { MessagingSettings } from '../components/messaging/MessagingSettings';
import { Users } from '../components/security/Users';
import { useMe } from '../me';
import { PageHeader, Panel } from '../components/PageHeader';
import { ErrorMessage, Loading } from '../components/Status';
import { formatDateTime } from '../format';
import { useResource } from '../hooks';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { locationLabel, useLocations } from '../locations';
import { useApi, useSession } from '../session';

// The scopes a key may hold (src/platform/auth/scopes.ts); without a choice the server gives the role's defaults.
const SCOPES = [
  'orders',
  'stock',
  'customers',
  'events',
  'loyalty:read',
  'loyalty:redeem',
  'coupons:claim',
  'coupons:issue',
  'points:earn',
  'identity:trusted',
] as const;
type KeyView = ApiKey & { scopes?: string[] };

function ScopePicker({ value, onChange }: { value: string[] | null; onChange: (v: string[] | null) => void }) {
  const { t } = useI18n();
  const toggle = (s: string) => onChange(value!.includes(s) ? value!.filter((x) => x !== s) : [...value!, s]);
  return (
    <fieldset className="field" data-testid="new-key-scopes">
      <label>
        <input
          type="checkbox"
          checked={value !== null}
          onChange={(e) => onChange(e.target.checked ? [] : null)}
          data-testid="new-key-custom-scopes"
        />{' '}
        {t('settings.scopes')} <small className="muted">{t('settings.scopesDefault')}</small>
      </label>
      {value !== null &&
        SCOPES.map((s) => (
          <label key={s} title={s}>
            <input
              type="checkbox"
              checked={value.includes(s)}
              onChange={() => toggle(s)}
              data-testid={`new-key-scope-${s}`}
            />{' '}
            {translateValue(t, 'scope', s)}
          </label>
        ))}
    </fieldset>
  );
}

function NewKeyForm({ onCreated }: { onCreated: (key: ApiKey & { key: string }) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [location, setLocation] = useState('');
  const [channel, setChannel] = useState('');
  const [scopes, setScopes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setError(t('settings.nameRequired'));
    if (role === 'store_staff' && !location) return setError(t('settings.locationRequired'));
    if (role === 'integration' && !channel) return setError(t('settings.channelRequired'));
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<KeyView & { key: string }>('/v1/api-keys', {
        name: name.trim(),
        role,
        ...(location ? { location_id: location } : {}),
        ...(channel ? { channel } : {}),
        ...(scopes ? { scopes } : {}),
      });
      setName('');
      setLocation('');
      setChannel('');
      setScopes(null);
      onCreated(created);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 403
          ? t('common.forbidden')
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form-row" onSubmit={submit} noValidate data-testid="new-key-form">
      <label className="field">
        <span>{t('settings.name')}</span>
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-testid="new-key-name" />
      </label>
      <RoleFields
        roles={ROLES}
        role={role}
        onRole={setRole}
        location={location}
        onLocation={setLocation}
        testId="new-key"
      />
      <label className="field">
        <span>
          {t('settings.channel')} {role !== 'integration' && <small className="muted">{t('settings.optional')}</small>}
        </span>
        <select value={channel} onChange={(e) => setChannel(e.target.value)} data-testid="new-key-channel">
          <option value="">{t('common.none')}</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {t(`channel.${c}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <ScopePicker value={scopes} onChange={setScopes} />
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="new-key-submit">
        {busy ? t('settings.creating') : t('settings.createSubmit')}
      </button>
      {error && (
        <div className="status status-error form-error" role="alert" data-testid="new-key-error">
          {error}
        </div>
      )}
    </form>
  );
}

function SecretOnce({ secret, onDismiss }: { secret: string; onDismiss: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // no clipboard (insecure context): the text is selectable
    }
  }
  return (
    <div className="secret" role="status" data-testid="new-key-secret">
      <p>{t('settings.newKey')}</p>
      <div className="secret-row">
        <code className="mono" data-testid="new-key-value">
          {secret}
        </code>
        <button type="button" className="btn btn-small" onClick={copy}>
          {copied ? t('settings.copied') : t('settings.copy')}
        </button>
        <button type="button" className="btn btn-small" onClick={onDismiss}>
          {t('settings.dismiss')}
        </button>
      </div>
    </div>
  );
}

function ApiKeys() {
  const { t, lang } = useI18n();
  const api = useApi();
  const { key: currentKey } = useSession();
  const { byId } = useLocations();
  const keys = useResource<{ items: KeyView[] }>('/v1/api-keys');
  const [secret, setSecret] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);

  async function revoke(k: ApiKey, own: boolean) {
    if (!window.confirm(t(own ? 'settings.revokeOwn' : 'settings.revokeConfirm', { name: k.name }))) return;
    setActionError(null);
    try {
      await api.del(`/v1/api-keys/${encodeURIComponent(k.id)}`);
      keys.reload();
    } catch (err) {
      setActionError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  const forbidden = keys.error instanceof ApiError && keys.error.status === 403;
  return (
    <Panel title={t('settings.keys')} testId="api-keys">
      {keys.error && (
        <ErrorMessage error={keys.error} onRetry={keys.reload} forbiddenText={t('settings.keysForbidden')} />
      )}
      {!keys.data && keys.loading && <Loading />}
      {actionError && <ErrorMessage error={actionError} />}
      {secret && <SecretOnce secret={secret} onDismiss={() => setSecret(null)} />}
      {keys.data && (
        <div className="table-wrap">
          <table className="table" data-testid="api-keys-table">
            <thead>
              <tr>
                <th>{t('settings.name')}</th>
                <th>{t('settings.role')}</th>
                <th>{t('settings.prefix')}</th>
                <th>{t('settings.location')}</th>
                <th>{t('settings.channel')}</th>
                <th>{t('settings.scopes')}</th>
                <th>{t('settings.createdAt')}</th>
                <th>{t('settings.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((k) => {
                const own = currentKey !== null && k.revoked_at === null && currentKey.startsWith(k.key_prefix);
                return (
                  <tr key={k.id} className={k.revoked_at ? 'revoked' : ''} data-testid="api-key-row">
                    <td>
                      {k.name} {own && <span className="badge badge-info">{t('settings.current')}</span>}
                    </td>
                    <td>{translateValue(t, 'role', k.role)}</td>
                    <td className="mono">{k.key_prefix}…</td>
                    <td>{locationLabel(byId, k.location_id, lang)}</td>
                    <td>{translateValue(t, 'channel', k.channel)}</td>
                    <td title={k.scopes?.join(' ')}>
                      {k.scopes?.map((s) => translateValue(t, 'scope', s)).join(t('common.listSep'))}
                    </td>
                    <td className="nowrap">{formatDateTime(k.created_at, lang)}</td>
                    <td>
                      {k.revoked_at ? (
                        <span className="badge badge-muted">
                          {t('settings.revoked', { date: formatDateTime(k.revoked_at, lang) })}
                        </span>
                      ) : (
                        <span className="badge badge-ok">{t('settings.active')}</span>
                      )}
                    </td>
                    <td className="num">
                      {!k.revoked_at && (
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          onClick={() => revoke(k, own)}
                          data-testid={`revoke-${k.id}`}
                        >
                          {t('settings.revoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {keys.data && !forbidden && (
        <>
          <h3>{t('settings.create')}</h3>
          <NewKeyForm
            onCreated={(k) => {
              setSecret(k.key);
              keys.reload();
            }}
          />
        </>
      )}
    </Panel>
  );
}

export function Settings() {
  const { t } = useI18n();
  const me = useMe();
  const { key } = useSession();
  return (
    <>
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />
      {me?.role === 'admin' && <Users />}
      <ApiKeys />
      <RevenueShareForm />
      <MessagingSettings />
      <div className="panel-grid">
        <Panel title={t('settings.language')}>
          <LanguageSwitch />
        </Panel>
        <Panel title={t('settings.session')}>
          <dl className="facts">
            <dt>{t('settings.server')}</dt>
            <dd className="mono">{window.location.origin}</dd>
            <dt>{t('signin.key')}</dt>
            <dd className="mono">{key ? key.slice(0, 7) + '…' : t('common.none')}</dd>
          </dl>
        </Panel>
      </div>
    </>
  );
}
