import { useState, type FormEvent } from 'react';
import { ApiError, checkKey, COOKIE_SESSION, loginWithPassword } from '../api';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useI18n } from '../i18n';
import { useSession } from '../session';

/**
 * Staff sign in with username and password (POST /v1/auth/login sets an httpOnly session cookie).
 * Pasting an API key stays as a secondary option, for automation and for the first admin.
 */
export function SignIn() {
  const { t } = useI18n();
  const { signIn, expired } = useSession();
  const [mode, setMode] = useState<'password' | 'key'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(
    expired === 'session' ? t('signin.sessionExpired') : expired ? t('signin.expired') : null,
  );
  const [busy, setBusy] = useState(false);

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t('signin.emptyPassword'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await loginWithPassword(username.trim(), password);
      signIn(COOKIE_SESSION);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('signin.wrongPassword'));
      else if (err instanceof ApiError && err.status === 429) setError(t('signin.locked'));
      else if (err instanceof ApiError && err.status === 400) setError(t('signin.emptyPassword'));
      else setError(t('signin.failed', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  }

  async function submitKey(e: FormEvent) {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setError(t('signin.empty'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (await checkKey(k)) {
        signIn(k);
        return;
      }
      setError(t('signin.wrongKey'));
    } catch (err) {
      setError(t('signin.failed', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  }

  const switchTo = (m: 'password' | 'key') => {
    setMode(m);
    setError(null);
  };

  return (
    <div className="signin-page">
      <form className="signin-card" onSubmit={mode === 'password' ? submitPassword : submitKey} noValidate>
        <div className="signin-brand">
          <span className="brand-mark" aria-hidden="true">
            三
          </span>
          <div>
            <strong>{t('app.name')}</strong>
            <small>{t('app.tagline')}</small>
          </div>
        </div>
        <h1>{t('signin.title')}</h1>
        {mode === 'password' ? (
          <>
            <p className="muted">{t('signin.leadPassword')}</p>
            <label className="field">
              <span>{t('signin.username')}</span>
              <input
                type="text"
                name="username"
                autoComplete="username"
                spellCheck={false}
                autoFocus
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                data-testid="signin-username"
              />
            </label>
            <label className="field">
              <span>{t('signin.password')}</span>
              <input
                type="password"
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                data-testid="signin-password"
              />
            </label>
          </>
        ) : (
          <>
            <p className="muted">{t('signin.lead')}</p>
            <label className="field">
              <span>{t('signin.key')}</span>
              <input
                type="password"
                name="api-key"
                autoComplete="off"
                spellCheck={false}
                autoFocus
                placeholder={t('signin.placeholder')}
                value={key}
                onChange={(e) => setKey(e.target.value)}
                data-testid="signin-key"
              />
            </label>
          </>
        )}
        {error && (
          <div className="status status-error" role="alert" data-testid="signin-error">
            {error}
          </div>
        )}
        <button
          type="submit"
          className="btn btn-primary btn-block"
          disabled={busy}
          data-testid={mode === 'password' ? 'signin-login' : 'signin-submit'}
        >
          {busy ? t('signin.checking') : t('signin.submit')}
        </button>
        <button
          type="button"
          className="btn btn-link btn-block"
          onClick={() => switchTo(mode === 'password' ? 'key' : 'password')}
          data-testid={mode === 'password' ? 'signin-use-key' : 'signin-use-password'}
        >
          {mode === 'password' ? t('signin.useKey') : t('signin.usePassword')}
        </button>
        <LanguageSwitch className="signin-lang" />
      </form>
    </div>
  );
}
