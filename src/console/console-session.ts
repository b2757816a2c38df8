import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** Who is signed in to the console: a space and its admin token, kept only in the browser's cookie. */
export interface ConsoleSession {
  readonly space: string;
  readonly token: string;
}

const COOKIE = 'troupe_console';

/**
 * The console holds no state of its own: the session is the cookie (HttpOnly, so page scripts
 * never see the token; SameSite=Strict, so another site cannot post with it), and every page
 * asks the public API with it, which decides what it may see.
 */
export function readSession(c: Context): ConsoleSession | undefined {
  const value = getCookie(c, COOKIE);
  if (value === undefined) return undefined;
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { space: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
}

export function writeSession(c: Context, session: ConsoleSession): void {
  setCookie(c, COOKIE, Buffer.from(`${session.space}:${session.token}`, 'utf8').toString('base64url'), { httpOnly: true, sameSite: 'Strict', path: '/console' });
}

export function clearSession(c: Context): void {
  deleteCookie(c, COOKIE, { path: '/console' });
}
