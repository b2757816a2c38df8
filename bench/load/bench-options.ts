/** The load bench's options (`npm run bench -- --quick`, `--profiles 100000`, …). */
export interface BenchOptions {
  readonly profiles: number;
  readonly events: number;
  /** Stop sending after this many seconds even if events remain (system clock only). */
  readonly durationSeconds: number;
  readonly seed: number;
  /** `system`: the speed run. `manual`: the same workload replayed with timed clock advances, for the correctness diff. */
  readonly clock: 'system' | 'manual';
  readonly quick: boolean;
  /** Skip the DuckDB peer (it needs the whole log in memory). */
  readonly peer: boolean;
}

const DEFAULTS: BenchOptions = { profiles: 1_000_000, events: 1_500_000, durationSeconds: 3_600, seed: 1, clock: 'system', quick: false, peer: true };
const QUICK: Partial<BenchOptions> = { profiles: 2_000, events: 12_000, durationSeconds: 20 };

/** Reads `--name value` / `--name=value` flags; an unknown flag or a bad number stops with a message naming it. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`bench: unexpected argument ${JSON.stringify(arg)} (flags are --name value)`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (arg === '--quick' || arg === '--no-peer') flags.set(arg.slice(2), 'true');
    else flags.set(arg.slice(2), argv[++i] ?? '');
  }
  const quick = flags.get('quick') === 'true';
  const base = { ...DEFAULTS, ...(quick ? QUICK : {}), quick };
  const number = (name: string, fallback: number): number => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw.replaceAll('_', ''));
    if (!Number.isInteger(value) || value <= 0) throw new Error(`bench: --${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
    return value;
  };
  for (const name of flags.keys()) {
    if (!['quick', 'profiles', 'events', 'duration', 'seed', 'clock', 'no-peer'].includes(name)) throw new Error(`bench: unknown flag --${name}`);
  }
  const clock = flags.get('clock') ?? base.clock;
  if (clock !== 'system' && clock !== 'manual') throw new Error(`bench: --clock must be system or manual, got ${JSON.stringify(clock)}`);
  const profiles = number('profiles', base.profiles);
  return {
    profiles,
    events: number('events', flags.has('profiles') && !flags.has('events') ? Math.ceil(profiles * 1.5) : base.events),
    durationSeconds: number('duration', base.durationSeconds),
    seed: number('seed', base.seed),
    clock,
    quick,
    peer: flags.get('no-peer') !== 'true',
  };
}
