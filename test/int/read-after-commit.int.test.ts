import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';

// Regression, found by the crash-durability e2e test: after a shard commits, the main thread's
// lmdb-js read snapshot could still predate the commit (it renews on a setTimeout(0)), while the
// identity overlay had already dropped the staged entry. A known user then looked new, and a
// second profile took over its identifiers, hiding every earlier acknowledged event.
describe('main thread reads after a shard commit', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.destroy());

  it('resolves a user to the same profile when its second event follows the first commit at once', async () => {
    server = await startTestServer();
    const { engine } = server;
    const found = engine.spaces.byWriteKey('dev-write-key')!;
    const send = (userId: string, messageId: string) =>
      engine.ingest.ingest({
        space: found.space,
        source: found.source,
        receivedAt: engine.clock.now(),
        items: [{ index: 0, ok: true, event: { type: 'track', event: 'E', userId, messageId, timestamp: engine.clock.now(), receivedAt: engine.clock.now() } }],
      });
    const profilesOf = (userId: string) => {
      const ids = new Set<string>();
      for (const { key, value } of engine.store.identity.getRange({ start: ['default', 'user_id', userId], end: ['default', 'user_id', `${userId}\u0000`] })) {
        if (key[2] === userId) ids.add(value);
      }
      return ids;
    };
    for (let i = 0; i < 150; i++) {
      // The first call reads (so a read snapshot is open), then commits; the second follows in
      // the same macrotask as the commit's answer.
      await send(`u${i}`, `a${i}`);
      await send(`u${i}`, `b${i}`);
    }
    engine.store.root.resetReadTxn();
    const profileCount = new Set([...engine.store.profiles.getKeys()]).size;
    expect(profileCount).toBe(150);
    for (let i = 0; i < 150; i++) expect(profilesOf(`u${i}`).size).toBe(1);
  });
});
