/**
 * Who is signed in, for the whole UI.
 *
 *   const { user, can } = useSession();
 *   {can('workflows:write') && <button>Publish</button>}
 *
 * `SessionGate` (wrapped around the app in app.tsx) loads GET /api/v1/auth/me once, shows
 * the sign-in page at /login, sends anyone without a session to /login?next=…, and keeps
 * the CSRF token of the API client in step with the session. The server enforces every
 * permission anyway: hiding a control is for people, not for security.
 */
import type { Permission, SessionInfo } from '@tripline/shared';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, ApiError, onUnauthorized, setCsrfToken } from '../api/client.ts';
import './auth.css';

/** Who is signed in, as GET /api/v1/auth/me describes them (shared sessionInfoSchema). */
export type SessionUser = SessionInfo['user'];

type State = { status: 'loading' } | { status: 'signedOut' } | { status: 'signedIn'; info: SessionInfo };

interface AuthControls {
  state: State;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthControls | null>(null);

export interface Session {
  user: SessionUser;
  permissions: readonly Permission[];
  can: (permission: Permission) => boolean;
  signOut: () => Promise<void>;
}

/** The signed-in person; use inside the app (everything under SessionGate but the sign-in page). */
export function useSession(): Session {
  const controls = useContext(AuthContext);
  if (!controls) throw new Error('useSession must be used inside <SessionGate>');
  const { state, signOut } = controls;
  const info = state.status === 'signedIn' ? state.info : undefined;
  return useMemo(() => {
    const permissions = info?.permissions ?? [];
    return {
      user: info?.user ?? { id: '', email: '', role: '' },
      permissions,
      can: (p: Permission) => permissions.includes(p),
      signOut,
    };
  }, [info, signOut]);
}

/** Renders its children only when the signed-in person has the permission. */
export function Can({ permission, children }: { permission: Permission; children: ReactNode }) {
  return useSession().can(permission) ? <>{children}</> : null;
}

/** For the sign-in page. */
export function useSignIn(): AuthControls['signIn'] {
  const controls = useContext(AuthContext);
  if (!controls) throw new Error('useSignIn must be used inside <SessionGate>');
  return controls.signIn;
}

/** A path inside the app to go back to after signing in (never another site). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function SessionGate({ login, children }: { login: ReactNode; children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const location = useLocation();
  const navigate = useNavigate();

  const apply = useCallback((info: SessionInfo | null) => {
    setCsrfToken(info?.csrfToken ?? null);
    setState(info ? { status: 'signedIn', info } : { status: 'signedOut' });
  }, []);

  const refresh = useCallback(async () => {
    try {
      apply(await api.get<SessionInfo>('/auth/me'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) apply(null);
      else throw error;
    }
  }, [apply]);

  useEffect(() => {
    refresh().catch(() => apply(null));
    return onUnauthorized(() => apply(null));
  }, [refresh, apply]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      apply(await api.post<SessionInfo>('/auth/login', { email, password }));
    },
    [apply],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } finally {
      apply(null);
      navigate('/login');
    }
  }, [apply, navigate]);

  const controls = useMemo(() => ({ state, signIn, signOut, refresh }), [state, signIn, signOut, refresh]);

  let content: ReactNode;
  if (location.pathname === '/login') content = login;
  else if (state.status === 'loading') content = <p className="session-loading" role="status">Loading…</p>;
  else if (state.status === 'signedOut') content = <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  else content = children;
  return <AuthContext.Provider value={controls}>{content}</AuthContext.Provider>;
}

/** The signed-in person and a sign-out button, for the sidebar. */
export function SessionMenu() {
  const { user, signOut } = useSession();
  return (
    <div className="session-menu">
      <div className="session-user" title={user.email}>
        {user.email}
        <span className="session-role">{user.role}</span>
      </div>
      <button type="button" className="link-button" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}
