import { createWriteStream } from 'node:fs';
import type { LoggedEvent } from './event-log.ts';
import { progressBar } from './progress.ts';
import { generateWorkload, type WorkloadBatch, type WorkloadOptions } from './workload.ts';

export interface WrittenWorkload {
  readonly batches: number;
  readonly events: number;
  /** The clock time of the last batch. */
  readonly lastAt: number;
}

/**
 * Makes the workload before anything is timed and writes it to disk: the request bodies (one
 * line per batch, `<events>\t<json>`, what the load generators post) and the event log (JSON
 * Lines of `LoggedEvent`, what the peer loads). Nothing is held in memory beyond one batch.
 */
export async function writeWorkload(options: WorkloadOptions, bodiesPath: string, logPath: string): Promise<WrittenWorkload> {
  const bodies = createWriteStream(bodiesPath);
  const log = createWriteStream(logPath);
  const bar = progressBar('making the workload', options.events);
  let events = 0;
  let batches = 0;
  let lastAt = options.start;
  const write = (stream: NodeJS.WritableStream, text: string): Promise<void> | undefined =>
    stream.write(text) ? undefined : new Promise((resolve) => stream.once('drain', () => resolve()));
  for (const batch of generateWorkload(options)) {
    await write(bodies, `${batch.events.length}\t${requestBody(batch)}\n`);
    await write(log, batch.events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    events += batch.events.length;
    batches += 1;
    lastAt = batch.at;
    if (batches % 100 === 0) bar.update(events);
  }
  await Promise.all([new Promise((resolve) => bodies.end(resolve)), new Promise((resolve) => log.end(resolve))]);
  bar.end(`${events.toLocaleString('en-US')} events in ${batches.toLocaleString('en-US')} requests`);
  return { batches, events, lastAt };
}

/** A batch as the Tracking API takes it (no `sentAt`: each `timestamp` is taken as given). */
export function requestBody(batch: WorkloadBatch): string {
  return JSON.stringify({ batch: batch.events.map((event: LoggedEvent) => event.call) });
}
