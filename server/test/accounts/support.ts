import type { UserRole } from '@tripline/shared';
import type { TestTripline } from '../support/tripline.ts';

export interface Session {
  cookie: string;
  csrfToken: string;
  setCookie: string;
  /** fetch with the session cookie, and the CSRF token unless `csrf: false`. */
  call: (path: string, init?: RequestInit & { json?: unknown; csrf?: boolean }) => Promise<Response>;
}

export async function signIn(t: TestTripline, email: string, password: string): Promise<Session> {
  const res = await fetch(`${t.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrfToken,
    setCookie,
    call: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      if (init.csrf !== false) headers.set('x-csrf-token', csrfToken);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(t.url + path, { ...init, headers, body });
    },
  };
}

/** Creates a user with the admin API key and signs them in. */
export async function userWithRole(t: TestTripline, role: UserRole, email = `${role}-${Math.random().toString(36).slice(2, 8)}@test.local`) {
  const password = `${role}-password-123`;
  const res = await t.api('/api/v1/users', { method: 'POST', json: { email, password, role } });
  if (res.status !== 201) throw new Error(`creating ${email} answered ${res.status}: ${await res.text()}`);
  const user = (await res.json()) as { id: string };
  return { id: user.id, email, password, session: await signIn(t, email, password) };
}

export async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}
