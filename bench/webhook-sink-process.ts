import { spawn } from 'node:child_process';

const SINK = new URL('./webhook-sink.ts', import.meta.url).pathname;

export interface WebhookSinkProcess {
  readonly url: string;
  /** Messages received so far, and the lag from change to arrival (`webhook-sink.ts`). */
  counts(): Promise<{ received: number; lagP50Ms: number | null; lagP99Ms: number | null }>;
  stop(): void;
}

/** Starts `webhook-sink.ts` in a process of its own (its CPU is not the engine's) and waits for its URL. */
export async function startWebhookSink(): Promise<WebhookSinkProcess> {
  const sink = spawn(process.execPath, ['--import', 'tsx', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    sink.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    sink.once('exit', (code) => reject(new Error(`webhook sink exited with ${code}`)));
  });
  return {
    url,
    counts: async () => (await (await fetch(`${url}/count`)).json()) as { received: number; lagP50Ms: number | null; lagP99Ms: number | null },
    stop: () => void sink.kill('SIGTERM'),
  };
}
