import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { COOKIE_SESSION, createApi, logoutSession, type Api } from './api';

const KEY_STORAGE = 'santong.apiKey';

interface Session {
  /** The API key in use, COOKIE_SESSION when signed in with username and password, or null when signed out. */
  key: string | null;
  api: Api | null;
  /** Why the user was last signed out without asking: a key revoked, or a session expired or revoked, meanwhile. */
  expired: false | 'key' | 'session';
  signIn(key: string): void;
  signOut(): void;
}

function readKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

function writeKey(key: string | null): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // storage unavailable: the session lasts for this page only
  }
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [key, setKey] = useState<string | null>(readKey);
  const [expired, setExpired] = useState<false | 'key' | 'session'>(false);

  const signIn = useCallback((k: string) => {
    writeKey(k);
    setExpired(false);
    setKey(k);
  }, []);
  const signOut = useCallback(() => {
    if (key === COOKIE_SESSION) void logoutSession();
    writeKey(null);
    setKey(null);
  }, [key]);
  const api = useMemo(
    () =>
      key
        ? createApi(key, () => {
            writeKey(null);
            setExpired(key === COOKIE_SESSION ? 'session' : 'key');
            setKey(null);
          })
        : null,
    [key],
  );
  const value = useMemo<Session>(() => ({ key, api, expired, signIn, signOut }), [key, api, expired, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The API client of the signed-in user (pages are only shown when signed in). */
export function useApi(): Api {
  const { api } = useSession();
  if (!api) throw new Error('useApi while signed out');
  return api;
}
