import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';

// Issue 2: "Node's default 300 s request timeout is replaced by a sane one". A client that sends
// headers and then trickles (or stalls) its body is answered 408 and disconnected once
// `requestTimeoutMs` passes, and the engine keeps serving others.
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ requestTimeoutMs: 500 });
});

afterAll(async () => {
  await server.destroy();
});

describe('request timeout', () => {
  it('answers 408 and closes a connection whose body stalls past requestTimeoutMs', async () => {
    const { hostname, port } = new URL(server.url);
    const started = Date.now();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST /v1/track HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${DEV_AUTH.write}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"userId":`,
        );
      });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('the server kept the stalled request open for 10 s')), 10_000).unref();
    });
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(Date.now() - started).toBeLessThan(5_000);

    const ok = await fetch(`${server.url}/v1/track`, { method: 'POST', headers: { authorization: DEV_AUTH.write }, body: JSON.stringify({ userId: 'after-timeout', event: 'E' }) });
    expect(ok.status).toBe(200);
  });
});
