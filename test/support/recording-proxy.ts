import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the client put it on the wire: headers and body bytes, untouched. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Status the target answered (before any replacement). */
  readonly targetStatus: number;
}

export interface RecordingProxyOptions {
  /**
   * Called once the target has answered. A number replaces the status the client sees (with an
   * empty JSON error body): the target HAS processed the request, the client believes it failed.
   * That is exactly a lost response, which makes a client retry what was already committed.
   */
  readonly replaceStatus?: (request: RecordedRequest, index: number) => number | undefined;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A tiny HTTP forward proxy in front of a test server: clients are pointed at it as if it were the
 * engine, it records every request byte for byte (so a test can see `Content-Encoding: gzip` and
 * decode what an unmodified client library really sent) and forwards it unchanged.
 */
export async function startRecordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const targetUrl = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = { ...req.headers, host: targetUrl.host };
      const upstream = httpRequest(
        { hostname: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const recorded: RecordedRequest = {
              method: req.method ?? '',
              path: req.url ?? '',
              headers: req.headers,
              body,
              targetStatus: answer.statusCode ?? 0,
            };
            const index = requests.push(recorded) - 1;
            const replaced = options.replaceStatus?.(recorded, index);
            if (replaced !== undefined) {
              res.writeHead(replaced, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ error: { code: 'proxy_replaced', message: 'response replaced by the test proxy' } }));
              return;
            }
            const outHeaders = { ...answer.headers };
            delete outHeaders['transfer-encoding'];
            delete outHeaders['connection'];
            delete outHeaders['keep-alive'];
            res.writeHead(answer.statusCode ?? 502, outHeaders);
            res.end(Buffer.concat(answerChunks));
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'proxy_upstream', message: error.message } }));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
