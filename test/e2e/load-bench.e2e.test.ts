import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Issue 8: "CI runs the --quick bench as a smoke test (that it works and the diff is empty, not how
// fast)". The quick workload replayed on the manual clock, every profile's answers read through
// the Profile API and compared with the DuckDB peer's at the same instant.

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('the load bench, --quick on the manual clock', () => {
  it('runs to the end and Troupe agrees with the DuckDB peer on every profile and definition', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/load/run-bench.ts', '--quick', '--clock', 'manual'], {
      cwd: REPO,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    });
    expect(stdout).toContain('correctness diff (mismatches)');
    const report = JSON.parse(readFileSync(new URL('../../bench/results/quick-diff.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(report['mismatchExamples']).toEqual([]);
    expect(report['mismatches']).toBe(0);
    expect(report['profiles']).toBeGreaterThan(1_000);
    expect((report['peer'] as { events: number }).events).toBe(12_000);
  }, 300_000);
});
