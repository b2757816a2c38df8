import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the receiver got it, recorded once its whole body had arrived. */
export interface ReceivedRequest {
  /** `Date.now()` when the body had arrived (real time: the receiver is outside the engine's clock). */
  readonly at: number;
  readonly method: string;
  /** Path and query string, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

/** How to answer one request: a response, or `hang` to accept it and never answer (timeouts). */
export type ResponsePlan = { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string } | { readonly hang: true };

/** Decides the answer to each request; `index` counts requests from 0 in arrival order. */
export type ResponseHandler = (request: ReceivedRequest, index: number) => ResponsePlan | Promise<ResponsePlan>;

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`, the same for the receiver's whole life. */
  readonly url: string;
  /** Every request so far, in arrival order (a live view). */
  readonly requests: readonly ReceivedRequest[];
  /** Replaces how requests are answered (200 with an empty body until called). */
  respondWith(handler: ResponseHandler): void;
  /**
   * Stops listening and drops open connections: new connections are refused (ECONNREFUSED). A
   * client that has not yet seen its kept-alive socket close fails with a socket error instead.
   */
  refuseConnections(): Promise<void>;
  /** Listens again on the same port. */
  acceptConnections(): Promise<void>;
  /** Resolves with the requests once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<readonly ReceivedRequest[]>;
  /** Stops for good, destroying hanging connections; pending `waitFor`s reject. */
  close(): Promise<void>;
}

interface Waiter {
  readonly count: number;
  readonly resolve: (requests: readonly ReceivedRequest[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const OK: ResponsePlan = { status: 200 };

/**
 * A real HTTP endpoint on 127.0.0.1 for integration and e2e tests of webhook delivery: it records
 * what arrives and answers as the test plans, including never (a hanging request) and not at all
 * (connections refused), so the engine's sender meets the same failures it would in production.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let waiters: Waiter[] = [];
  let handler: ResponseHandler = () => OK;
  let closed = false;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedRequest = { at: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json: parseJson(body) };
      const index = requests.push(request) - 1;
      settleWaiters();
      Promise.resolve()
        .then(() => handler(request, index))
        .then(
          (plan) => {
            if ('hang' in plan) return;
            res.writeHead(plan.status, plan.headers);
            res.end(plan.body ?? '');
          },
          // A throwing handler is a bug in the test: answer so it shows rather than hangs.
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`webhook receiver handler threw: ${error instanceof Error ? error.message : String(error)}`);
          },
        );
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await listen(server, 0);
  const { port } = server.address() as AddressInfo;

  function settleWaiters(): void {
    const due = waiters.filter((w) => requests.length >= w.count);
    waiters = waiters.filter((w) => requests.length < w.count);
    for (const waiter of due) {
      clearTimeout(waiter.timer);
      waiter.resolve(requests);
    }
  }

  async function stopListening(): Promise<void> {
    if (!server.listening) return;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    // Kept-alive and hanging connections would otherwise keep being served (and keep close waiting).
    for (const socket of sockets) socket.destroy();
    await stopped;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(next) {
      handler = next;
    },
    refuseConnections: stopListening,
    async acceptConnections() {
      if (closed) throw new Error('webhook receiver: closed, cannot accept connections again');
      if (!server.listening) await listen(server, port);
    },
    waitFor(count, timeoutMs = 5_000) {
      if (requests.length >= count) return Promise.resolve(requests);
      if (closed) return Promise.reject(new Error(`webhook receiver: closed with ${requests.length} of ${count} requests`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w.timer !== timer);
          reject(new Error(`webhook receiver: waited ${timeoutMs} ms for ${count} requests, ${requests.length} arrived`));
        }, timeoutMs);
        waiters.push({ count, resolve, reject, timer });
      });
    },
    async close() {
      closed = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`webhook receiver: closed with ${requests.length} of ${waiter.count} requests`));
      }
      waiters = [];
      await stopListening();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
