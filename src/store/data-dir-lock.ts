import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Who holds a data directory: written into the lock file, shown when another start is refused. */
export interface LockHolder {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (Linux /proc), to tell a reused pid apart. */
  readonly startTicks: string | null;
  readonly hostname: string;
  readonly startedAt: string;
  /** Unique per acquisition: release removes the file only if it is still this one. */
  readonly token: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data directory ${dataDir} is in use by another Troupe engine (pid ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}). ` +
        `Two engines on one data directory lose acknowledged events: stop that one first. If no such process is running, delete ${lockPath}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = 'troupe.lock';
/** Lock files this process holds: a pid check cannot tell a second engine in this process from a dead one. */
const heldHere = new Set<string>();

/**
 * Takes the data directory for this process, or throws `DataDirLockedError` naming the holder.
 *
 * LMDB itself lets several processes open one environment (that is its design), so nothing else
 * stops a second engine, and two engines each believe they are the single writer of the identity
 * graph and of their shards. The lock is a file holding the owner's pid, created atomically
 * (written aside, then hard-linked into place, which fails if one exists, so the file is never
 * seen half written). It does not outlive its process in effect: a holder that is not running
 * (`process.kill(pid, 0)` fails, or the pid now belongs to a process started at another time) is
 * stale, and its lock is taken over. A kill -9 therefore never blocks the next start. Like LMDB,
 * it assumes a local file system and one pid namespace (one machine, one container).
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const mine: LockHolder = {
    pid: process.pid,
    startTicks: startTicksOf(process.pid),
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomUUID(),
  };
  // A few rounds: each failed round removed a stale lock or saw one vanish.
  for (let round = 0; round < 5; round++) {
    if (tryCreate(path, mine)) {
      heldHere.add(path);
      return { path, release: () => release(path, mine.token) };
    }
    const holder = readHolder(path);
    if (holder === 'missing') continue;
    if (holder !== 'unreadable' && isAlive(holder, path)) throw new DataDirLockedError(dir, path, holder);
    takeOverStale(path, holder);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}

function tryCreate(path: string, holder: LockHolder): boolean {
  const aside = `${path}.${holder.token}`;
  writeFileSync(aside, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    unlinkSync(aside);
  }
}

function readHolder(path: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return 'missing';
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isHolder(parsed) ? parsed : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function isAlive(holder: LockHolder, path: string): boolean {
  // Our own pid: either an engine this process still runs, or an earlier run that had the same
  // pid (a restarted container often gets the same one) and is gone.
  if (holder.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if (!isCode(error, 'EPERM')) return false;
  }
  const ticks = startTicksOf(holder.pid);
  return ticks === null || holder.startTicks === null || ticks === holder.startTicks;
}

/**
 * Moves a stale lock out of the way. Renaming (not unlinking) makes it safe against another
 * process taking over at the same moment: if what we moved is not the stale lock we judged (the
 * other process already replaced it with its live one), it is put back.
 */
function takeOverStale(path: string, judged: LockHolder | 'unreadable'): void {
  const moved = `${path}.stale-${randomUUID()}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const found = readHolder(moved);
  const same = judged === 'unreadable' ? found === 'unreadable' : typeof found === 'object' && found.token === judged.token;
  if (!same) {
    try {
      linkSync(moved, path);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    }
  }
  unlinkSync(moved);
}

function release(path: string, token: string): void {
  if (!heldHere.has(path)) return;
  heldHere.delete(path);
  const holder = readHolder(path);
  if (typeof holder === 'object' && holder.token === token) unlinkSync(path);
}

/** Field 22 of /proc/<pid>/stat; null where there is no /proc (the pid check alone then). */
function startTicksOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isHolder(value: unknown): value is LockHolder {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(v['pid']) &&
    (typeof v['startTicks'] === 'string' || v['startTicks'] === null) &&
    typeof v['hostname'] === 'string' &&
    typeof v['startedAt'] === 'string' &&
    typeof v['token'] === 'string'
  );
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
