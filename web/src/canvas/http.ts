/**
 * The editor's door to the API: the app-wide client (session cookie, CSRF token, 401 →
 * sign-in), re-exported so the canvas modules depend on one local name.
 */
export { api, ApiError } from '../api/client.ts';
