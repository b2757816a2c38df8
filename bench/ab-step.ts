import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/**
 * An A/B of the actor step between this working tree (B) and a git revision (A, default HEAD),
 * for hot-path changes worth a few percent. On these machines the same run can be 2x slower on
 * another day and ±15% from one minute to the next, so two runs one after the other cannot tell
 * such a change apart. Here both builds run AT ONCE, each pinned to a core of its own (swapped
 * every pair), so whatever slows the machine slows both: the ratio of their CPU per event holds
 * where the figures themselves swing.
 *
 * Both builds run the micro bench's actor-step workload (`actor-step-round.ts`, copied from this
 * tree into the revision's, so only the engine's code differs), bundled by esbuild. With
 * `--workload backfill` they run the sparse backfill instead (`backfill-round.ts`: one shard
 * runtime, CPU per profile replayed), whose in-process runs one after another swung ±30%.
 *
 *   node --import tsx bench/ab-step.ts [--base REV] [--pairs 8] [--rounds 150] [--none] [--workload step|backfill]
 */
const { values: options } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    pairs: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '150' },
    none: { type: 'boolean', default: false },
    workload: { type: 'string', default: 'step' },
  },
});
if (options.workload !== 'step' && options.workload !== 'backfill') throw new Error(`--workload is step or backfill, not ${options.workload}`);
const backfill = options.workload === 'backfill';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The workload's files, taken from this tree into the revision's. */
const WORKLOAD = ['bench/actor-step-round.ts', 'bench/backfill-round.ts', 'bench/bench-events.ts', 'bench/definitions-fixture.ts'];

/** Runs one build's rounds and prints its CPU µs per event (the child's only output). */
const CHILD = `
const { makeRound } = await import(process.argv[2]);
const round = makeRound(process.argv[4] !== 'none');
for (let warm = 0; warm < 30; warm++) round();
const rounds = Number(process.argv[3]);
const before = process.cpuUsage();
for (let r = 0; r < rounds; r++) round();
const used = process.cpuUsage(before);
console.log((used.user + used.system) / (rounds * 1000));
`;

/** Runs one build's backfills and prints its CPU µs per profile replayed (the child's only output). */
const BACKFILL_CHILD = `
const { backfillCpuPerProfile } = await import(process.argv[2]);
console.log(await backfillCpuPerProfile());
`;

async function main(): Promise<void> {
  const pairs = Number(options.pairs);
  const rounds = Number(options.rounds);
  // Bundles live under node_modules so that their bare imports (lmdb, msgpackr…) resolve.
  const out = join(repo, 'node_modules', '.cache', 'ab-step');
  mkdirSync(out, { recursive: true });
  const baseTree = mkdtempSync(join(tmpdir(), 'troupe-ab-'));
  try {
    const archive = execFileSync('git', ['-C', repo, 'archive', options.base], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', baseTree], { input: archive });
    for (const file of WORKLOAD) copyFileSync(join(repo, file), join(baseTree, file));
    const bundleA = join(out, 'a.mjs');
    const bundleB = join(out, 'b.mjs');
    const entry = backfill ? 'bench/backfill-round.ts' : 'bench/actor-step-round.ts';
    await bundle(join(baseTree, entry), bundleA);
    await bundle(join(repo, entry), bundleB);
    const child = join(out, 'child.mjs');
    writeFileSync(child, backfill ? BACKFILL_CHILD : CHILD);
    const pin = hasTaskset();
    const what = backfill ? 'backfill, 10,000 profiles of ~3.5 stored events, 4 measured creations after 2' : `actor step, ${options.none ? 'no definitions' : '70 definitions'}, ${rounds} rounds of 1,000 events`;
    console.log(`${what}: A = ${options.base}, B = this tree; ${pairs} pairs run at once${pin ? ', pinned to a core each' : ' (taskset missing: not pinned)'}`);
    const ratios: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const [coreA, coreB] = pair % 2 === 0 ? [0, 1] : [1, 0];
      const [a, b] = await Promise.all([
        runChild(child, bundleA, rounds, options.none, pin ? coreA : undefined),
        runChild(child, bundleB, rounds, options.none, pin ? coreB : undefined),
      ]);
      ratios.push(b / a);
      const unit = backfill ? 'µs/profile' : 'µs/event';
      console.log(`  pair ${pair + 1}: A ${a.toFixed(2)} ${unit}, B ${b.toFixed(2)} ${unit}, B/A ${(b / a).toFixed(3)}`);
    }
    const mean = ratios.reduce((sum, r) => sum + r, 0) / ratios.length;
    console.log(`B/A CPU per ${backfill ? 'profile' : 'event'}: mean ${mean.toFixed(3)}, min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)} (below 1: B is cheaper)`);
  } finally {
    rmSync(baseTree, { recursive: true, force: true });
  }
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}

function runChild(child: string, bundlePath: string, rounds: number, none: boolean, core: number | undefined): Promise<number> {
  const args = [child, bundlePath, String(rounds), none ? 'none' : 'definitions'];
  const [command, argv] = core === undefined ? [process.execPath, args] : ['taskset', ['-c', String(core), process.execPath, ...args]];
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const value = Number(output.trim());
      if (code === 0 && Number.isFinite(value)) resolvePromise(value);
      else reject(new Error(`a build's run ended with code ${code}: ${output.trim()}`));
    });
  });
}

await main();
