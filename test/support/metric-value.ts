/**
 * Reads one sample from the engine's `GET /metrics` (Prometheus text format). A counter that was
 * never incremented has no sample for its labels; that reads as 0, which is its value.
 *
 * @example
 * await metricValue(server.url, 'troupe_events_duplicate_total', { space: 'default' }) // 3
 */
export async function metricValue(baseUrl: string, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line.trim());
    if (match === null || match[1] !== name) continue;
    const present = (match[2] ?? '')
      .split(',')
      .filter((part) => part !== '')
      .sort();
    if (present.length === wanted.length && present.every((part, i) => part === wanted[i])) return Number(match[3]);
  }
  return 0;
}
