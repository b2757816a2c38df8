import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The process's CPU (every thread: main, shard workers, LMDB's and V8's helpers), in µs, from the OS. */
export function processCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * The yardstick the engine's cost is held to: the CPU `JSON.parse` takes per event on the same
 * request bodies the load generators send, in this process, in this run (so a slow day of the
 * machine moves both sides). A first pass warms the parser; nine more are timed, and the fastest
 * counts: the process's other threads (idle shard workers, V8's concurrent marking) land in some
 * passes and not others, and took single readings from 2.0 to 3.0 µs run to run. The least
 * disturbed pass is the parser's own cost, and the lowest yardstick never flatters the engine.
 * Only the first `maxBodies` bodies are read (the file holds the whole run: ~450 MB at the
 * default size).
 */
export async function jsonParseCpuUsPerEvent(bodiesPath: string, maxBodies = 2_000): Promise<number> {
  const bodies: string[] = [];
  let events = 0;
  const lines = createInterface({ input: createReadStream(bodiesPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    events += Number(line.slice(0, tab));
    bodies.push(line.slice(tab + 1));
    if (bodies.length === maxBodies) break;
  }
  lines.close();
  let sink = 0;
  for (const body of bodies) sink += (JSON.parse(body) as { batch: unknown[] }).batch.length;
  let fastest = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 9; pass++) {
    const before = processCpuUs();
    for (const body of bodies) sink += (JSON.parse(body) as { batch: unknown[] }).batch.length;
    fastest = Math.min(fastest, processCpuUs() - before);
  }
  if (sink === 0) throw new Error('bench: the workload has no events to parse');
  return fastest / events;
}

/**
 * The engine's CPU per accepted event over the load, leaving out intervals given to other work
 * (the mid-run backfill): both the CPU and the events of an excluded interval are taken out.
 */
export class EngineCpuMeter {
  private cpuUs = 0;
  private events = 0;
  private openedAt: { cpuUs: number; events: number } | null = null;

  constructor(private readonly storedEvents: () => number) {}

  resume(): void {
    this.openedAt = { cpuUs: processCpuUs(), events: this.storedEvents() };
  }

  pause(): void {
    if (this.openedAt === null) return;
    this.cpuUs += processCpuUs() - this.openedAt.cpuUs;
    this.events += this.storedEvents() - this.openedAt.events;
    this.openedAt = null;
  }

  /** µs of CPU per event counted so far, or null before any event. */
  usPerEvent(): number | null {
    return this.events === 0 ? null : this.cpuUs / this.events;
  }
}
