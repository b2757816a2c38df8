import type { AttemptResult } from '../../sync/retry-policy.ts';
import { ensureError } from '../../shared/errors.ts';

/** One HTTP attempt at delivering a message (the port the sync lanes send through). */
export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Aborts the attempt (the engine is stopping); the message stays in the outbox as it was. */
  readonly signal?: AbortSignal;
}

export type WebhookTransport = (request: WebhookRequest) => Promise<AttemptResult>;

/**
 * Node's fetch (undici: pooled keep-alive connections per origin). Redirects are never followed:
 * a destination that moved must be reconfigured, not trusted to forward our data elsewhere. The
 * timeout is explicit and covers the whole exchange, body included.
 */
export const fetchTransport: WebhookTransport = async (request) => {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'troupe-sync/1', ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal,
    });
    // Drained so the connection returns to the pool.
    await response.arrayBuffer();
    return { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after'), location: response.headers.get('location') };
  } catch (caught) {
    const error = ensureError(caught);
    if (timeout.aborted) return { kind: 'timeout', timeoutMs: request.timeoutMs };
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
    return { kind: 'network-error', error: detail };
  }
};
