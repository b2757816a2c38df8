import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, type DataDirLock, type LockHolder } from '../../src/store/data-dir-lock.ts';
import { makeTempDir } from '../support/temp-dir.ts';

// Issue 9, class 7: one engine per data directory. The lock is a pid file; a holder that is not
// running is stale, so a crashed engine never blocks the next start.

function holder(pid: number, startTicks: string | null = null): LockHolder {
  return { pid, startTicks, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: `t-${pid}` };
}

function refusal(run: () => unknown): DataDirLockedError {
  try {
    run();
  } catch (error) {
    if (error instanceof DataDirLockedError) return error;
    throw error;
  }
  throw new Error('the lock was granted');
}

/** A child process that stays alive until killed. */
function sleeper(): { pid: number; kill: () => Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, kill: async () => void (child.kill('SIGKILL'), await exited) };
}

function startTicks(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('data directory lock', () => {
  const dirs: Array<{ path: string; remove: () => void }> = [];
  const locks: DataDirLock[] = [];
  const children: Array<() => Promise<void>> = [];
  const tempDir = (): string => {
    const dir = makeTempDir('lock');
    dirs.push(dir);
    return dir.path;
  };
  afterEach(async () => {
    locks.splice(0).forEach((l) => l.release());
    for (const kill of children.splice(0)) await kill();
    dirs.splice(0).forEach((d) => d.remove());
  });

  it('refuses a second lock of the same directory in this process, naming the directory and pid; free again after release', () => {
    const dir = tempDir();
    const first = lockDataDir(dir);
    locks.push(first);
    const error = refusal(() => lockDataDir(dir));
    expect(error.message).toContain(`data directory ${dir} is in use by another Troupe engine (pid ${process.pid} on ${hostname()}`);
    expect(error.message).toContain(`delete ${join(dir, 'troupe.lock')}`);
    first.release();
    locks.push(lockDataDir(dir));
  });

  it('refuses while another live process holds it, and takes it over once that process is gone', async () => {
    const dir = tempDir();
    const other = sleeper();
    children.push(other.kill);
    writeFileSync(join(dir, 'troupe.lock'), JSON.stringify(holder(other.pid, startTicks(other.pid))));
    expect(refusal(() => lockDataDir(dir)).holder.pid).toBe(other.pid);
    await other.kill();
    const lock = lockDataDir(dir);
    locks.push(lock);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over the lock of a dead pid, of a reused pid (other start time), of an earlier run with our own pid, and an unreadable one', () => {
    const other = sleeper();
    children.push(other.kill);
    const stale: Array<[string, string]> = [
      ['dead pid', JSON.stringify(holder(2 ** 22 + 12345))],
      ['reused pid', JSON.stringify(holder(other.pid, '1'))],
      ['our pid, earlier run', JSON.stringify(holder(process.pid, startTicks(process.pid)))],
      ['unreadable', '{"pid":'],
    ];
    for (const [name, content] of stale) {
      const dir = tempDir();
      writeFileSync(join(dir, 'troupe.lock'), content);
      const lock = lockDataDir(dir);
      locks.push(lock);
      expect({ name, holder: JSON.parse(readFileSync(lock.path, 'utf8')).pid }).toEqual({ name, holder: process.pid });
    }
  });

  it('release leaves a lock that is no longer ours alone', () => {
    const dir = tempDir();
    const lock = lockDataDir(dir);
    const foreign = JSON.stringify(holder(1));
    writeFileSync(lock.path, foreign);
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe(foreign);
  });
});
