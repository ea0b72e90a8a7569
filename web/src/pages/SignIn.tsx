import { useState, type FormEvent } from 'react';
import { checkKey } from '../api';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useI18n } from '../i18n';
import { useSession } from '../session';

/** Paste an API key; it is checked against GET /v1/locations before it is kept. */
export function SignIn() {
  const { t } = useI18n();
  const { signIn, expired } = useSession();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(expired ? t('signin.expired') : null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
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

  return (
    <div className="signin-page">
      <form className="signin-card" onSubmit={submit} noValidate>
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
        {error && (
          <div className="status status-error" role="alert" data-testid="signin-error">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="signin-submit">
          {busy ? t('signin.checking') : t('signin.submit')}
        </button>
        <LanguageSwitch className="signin-lang" />
      </form>
    </div>
  );
}
