import { useState, type FormEvent } from 'react';
import type { Role } from '../../api';
import type { Answer } from '../../contract';
import { formatDateTime } from '../../format';
import { useAction, useResource } from '../../hooks';
import { translateValue, useI18n } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';
import { useApi } from '../../session';
import { Panel } from '../PageHeader';
import { RoleFields } from './RoleFields';
import { ActionError, ErrorMessage, Loading } from '../Status';

/** GET /v1/users: one staff account (never its password). */
type StaffUser = Answer<'/v1/users'>['items'][number];

const USER_ROLES: Role[] = ['admin', 'marketer', 'store_staff', 'support', 'analyst'];
const MIN_PASSWORD = 10;

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('store_staff');
  const [location, setLocation] = useState('');
  const [error, setError] = useState<string | null>(null);
  const creating = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim()) return setError(t('users.usernameRequired'));
    if (!displayName.trim()) return setError(t('users.displayNameRequired'));
    if ([...password].length < MIN_PASSWORD) return setError(t('users.passwordShort', { n: MIN_PASSWORD }));
    if (role === 'store_staff' && !location) return setError(t('settings.locationRequired'));
    setError(null);
    const created = await creating.run(() =>
      api.post('/v1/users', {
        username: username.trim(),
        display_name: displayName.trim(),
        password,
        role,
        ...(location ? { location_id: location } : {}),
      }),
    );
    if (created) {
      setUsername('');
      setDisplayName('');
      setPassword('');
      setLocation('');
      onCreated();
    }
  }

  return (
    <form className="form-row" onSubmit={submit} noValidate data-testid="new-user-form">
      <label className="field">
        <span>{t('signin.username')}</span>
        <input
          value={username}
          maxLength={64}
          autoComplete="off"
          onChange={(e) => setUsername(e.target.value)}
          data-testid="new-user-username"
        />
      </label>
      <label className="field">
        <span>{t('users.displayName')}</span>
        <input
          value={displayName}
          maxLength={100}
          onChange={(e) => setDisplayName(e.target.value)}
          data-testid="new-user-display-name"
        />
      </label>
      <label className="field">
        <span>{t('signin.password')}</span>
        <input
          type="password"
          value={password}
          autoComplete="new-password"
          onChange={(e) => setPassword(e.target.value)}
          data-testid="new-user-password"
        />
      </label>
      <RoleFields
        roles={USER_ROLES}
        role={role}
        onRole={setRole}
        location={location}
        onLocation={setLocation}
        testId="new-user"
      />
      <button type="submit" className="btn btn-primary" disabled={creating.busy} data-testid="new-user-submit">
        {creating.busy ? t('settings.creating') : t('users.create')}
      </button>
      {error && (
        <div className="status status-error form-error" role="alert" data-testid="new-user-error">
          {error}
        </div>
      )}
      <ActionError error={creating.error} testId="new-user-api-error" />
    </form>
  );
}

/** Staff accounts (admins): list, create, disable or enable, reset a password. */
export function Users() {
  const { t, lang } = useI18n();
  const api = useApi();
  const { byId } = useLocations();
  const users = useResource<{ items: StaffUser[] }>('/v1/users');
  const acting = useAction();

  async function change(u: StaffUser, body: Record<string, unknown>) {
    const done = await acting.run(() => api.patch(`/v1/users/${encodeURIComponent(u.id)}`, body));
    if (done) users.reload();
  }

  async function resetPassword(u: StaffUser) {
    const pw = window.prompt(t('users.resetPrompt', { name: u.username, n: MIN_PASSWORD }));
    if (pw === null) return;
    if ([...pw].length < MIN_PASSWORD) {
      window.alert(t('users.passwordShort', { n: MIN_PASSWORD }));
      return;
    }
    await change(u, { password: pw });
  }

  return (
    <Panel title={t('users.title')} hint={t('users.hint')} testId="users">
      {users.error && <ErrorMessage error={users.error} onRetry={users.reload} forbiddenText={t('users.forbidden')} />}
      {!users.data && users.loading && <Loading />}
      <ActionError error={acting.error} testId="users-action-error" />
      {users.data && (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('signin.username')}</th>
                <th>{t('users.displayName')}</th>
                <th>{t('settings.role')}</th>
                <th>{t('settings.location')}</th>
                <th>{t('users.lastLogin')}</th>
                <th>{t('settings.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.data.items.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    {t('users.none')}
                  </td>
                </tr>
              )}
              {users.data.items.map((u) => (
                <tr key={u.id} className={u.disabled ? 'revoked' : ''} data-testid={`user-row-${u.username}`}>
                  <td className="mono">{u.username}</td>
                  <td>{u.display_name}</td>
                  <td>{translateValue(t, 'role', u.role)}</td>
                  <td>{locationLabel(byId, u.location_id, lang)}</td>
                  <td className="nowrap">{u.last_login_at ? formatDateTime(u.last_login_at, lang) : '—'}</td>
                  <td>
                    {u.disabled ? (
                      <span className="badge badge-muted">{t('users.disabled')}</span>
                    ) : u.locked_until ? (
                      <span className="badge badge-warn">{t('users.locked')}</span>
                    ) : (
                      <span className="badge badge-ok">{t('settings.active')}</span>
                    )}
                  </td>
                  <td className="num nowrap">
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={acting.busy}
                      onClick={() => void resetPassword(u)}
                      data-testid={`user-reset-${u.username}`}
                    >
                      {t('users.resetPassword')}
                    </button>{' '}
                    <button
                      type="button"
                      className={u.disabled ? 'btn btn-small' : 'btn btn-small btn-danger'}
                      disabled={acting.busy}
                      onClick={() => void change(u, { disabled: !u.disabled })}
                      data-testid={`user-toggle-${u.username}`}
                    >
                      {u.disabled ? t('users.enable') : t('users.disable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.data && (
        <>
          <h3>{t('users.createTitle')}</h3>
          <NewUserForm onCreated={users.reload} />
        </>
      )}
    </Panel>
  );
}
