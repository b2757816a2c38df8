import { afterEach, describe, expect, it } from 'vitest';
import { runEngineToExit, startEngineProcess, type EngineProcess } from '../support/engine-process.ts';
import { fetchAllEvents } from '../support/profile-lookup.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { post, SUCCESS } from './tracking-http.ts';

// Issue 9, class 7: a second `npm start` on the same dataDir served too, and acknowledged events
// went missing. Now it refuses to start, naming the directory and the running engine's pid; and
// an engine killed with SIGKILL leaves nothing that blocks the next start.
describe('one engine per data directory', () => {
  const dir = makeTempDir('dir-lock');
  const running: EngineProcess[] = [];
  afterEach(async () => {
    for (const engine of running.splice(0)) await engine.stop();
    dir.remove();
  });

  it('a second engine on the same dataDir exits with a message naming the directory and the first one\'s pid; the first keeps serving', async () => {
    const first = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
    running.push(first);
    const second = await runEngineToExit({ TROUPE_DATA_DIR: dir.path });
    expect(second.code).toBe(3);
    expect(second.output).toContain(`troupe: cannot start: data directory ${dir.path} is in use by another Troupe engine (pid ${first.child.pid} on `);
    expect(second.output).not.toContain('troupe is listening');

    expect((await post(first.url, '/v1/track', { userId: 'lock-u1', event: 'Still Here', messageId: 'lock-1' })).body).toEqual(SUCCESS);
    expect((await fetchAllEvents(first.url, 'user_id:lock-u1')).map((e) => e.message_id)).toEqual(['lock-1']);
  });

  it('after kill -9 the next engine starts on the same dataDir and serves what was acknowledged', async () => {
    const first = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
    expect((await post(first.url, '/v1/track', { userId: 'lock-u2', event: 'Before Crash', messageId: 'lock-2' })).body).toEqual(SUCCESS);
    await first.kill9();
    const next = await startEngineProcess({ TROUPE_DATA_DIR: dir.path });
    running.push(next);
    expect((await fetchAllEvents(next.url, 'user_id:lock-u2')).map((e) => e.message_id)).toEqual(['lock-2']);
  });
});
