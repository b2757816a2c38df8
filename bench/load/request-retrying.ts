import { request } from 'undici';

/** Socket errors after which a request is sent again: the server closed a keep-alive connection just as it was reused. */
const RETRIED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const ATTEMPTS = 3;

/**
 * undici's `request`, sent again (up to three times) when the connection is reset. A server
 * closes an idle keep-alive connection after its timeout, and a client that picks that
 * connection at the same moment sees a reset; undici retries idempotent requests only. Sending
 * a tracking batch again is safe (its messageIds are deduplicated), so one such race in an hour
 * no longer ends a bench run (it ended the first complete 1 M-profile run at its very end).
 */
export async function requestRetrying(url: string, options: Parameters<typeof request>[1]): Promise<Awaited<ReturnType<typeof request>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(url, options);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRIED_CODES.has(code)) throw error;
    }
  }
}
