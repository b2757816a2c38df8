/** Runs `work` (which processes `unitsPerRun` units) repeatedly for at least `minMs`; returns units per second. */
export async function measureRate(unitsPerRun: number, work: () => unknown | Promise<unknown>, minMs = 1500): Promise<number> {
  // Warm-up: let V8 optimise the hot path before timing.
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) await work();
  let units = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await work();
    units += unitsPerRun;
  }
  return units / ((performance.now() - start) / 1000);
}

export function formatRate(rate: number, unit = 'events'): string {
  return `${Math.round(rate).toLocaleString('en-US')} ${unit}/s`;
}
