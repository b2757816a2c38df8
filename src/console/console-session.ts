import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/**
 * Who is signed in to the console: a space and its admin token, and optionally the space's access
 * token (the Profile API takes only that one), kept only in the browser's cookie.
 */
export interface ConsoleSession {
  readonly space: string;
  readonly token: string;
  readonly accessToken?: string;
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
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null) return undefined;
  const { space, token, accessToken } = decoded as Record<string, unknown>;
  if (typeof space !== 'string' || typeof token !== 'string' || space === '' || token === '') return undefined;
  return { space, token, ...(typeof accessToken === 'string' && accessToken !== '' ? { accessToken } : {}) };
}

export function writeSession(c: Context, session: ConsoleSession): void {
  setCookie(c, COOKIE, Buffer.from(JSON.stringify(session), 'utf8').toString('base64url'), { httpOnly: true, sameSite: 'Strict', path: '/console' });
}

export function clearSession(c: Context): void {
  deleteCookie(c, COOKIE, { path: '/console' });
}
