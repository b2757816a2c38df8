import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { compileDefinition } from '../compute/compile-definition.ts';
import { orderDefinitions } from '../compute/definition-set.ts';
import type { Condition, DefinitionAst, DefinitionKind, DefinitionTarget, ValueExpr } from '../definitions/ast.ts';
import { definitionDependencies } from '../definitions/definition-dependencies.ts';
import { deriveDefinitionKey, isValidDefinitionKey, MAX_DEFINITION_KEY_LENGTH } from '../definitions/definition-key.ts';
import { initialLifecycle, stepLifecycle, type LifecycleEvent } from '../definitions/definition-lifecycle.machine.ts';
import type { DefinitionOptions, DefinitionRecord } from '../definitions/definition-record.ts';
import { parseDefinition } from '../definitions/parse-definition.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, ensureError } from '../shared/errors.ts';
import type { EngineStore } from '../store/engine-store.ts';
import { runBackfill } from './definition-backfill.ts';
import { runPreview, type PreviewLimits, type PreviewOutcome } from './audience-preview.ts';
import type { Publication } from './publication.ts';
import type { ShardPool } from './shard-pool.ts';

export interface DefinitionInput {
  readonly kind: DefinitionKind;
  readonly name: string;
  readonly key?: string;
  readonly description?: string;
  readonly query: string;
  readonly target: DefinitionTarget;
  readonly enabled: boolean;
  readonly options: DefinitionOptions;
}

export interface DefinitionPatch {
  readonly name?: string;
  readonly description?: string;
  readonly query?: string;
  readonly enabled?: boolean;
}

/** What an audience preview asks: a query not created, the creation's options, an instant, limits. */
export interface PreviewInput {
  readonly query: string;
  readonly target: DefinitionTarget;
  readonly options: DefinitionOptions;
  readonly at?: number;
  readonly limits: PreviewLimits;
}

/** A query checked as a creation checks it, without creating anything (the console's editor). */
export type QueryCheck =
  | { readonly valid: true; readonly eventNames: readonly string[]; readonly traitKeys: readonly string[] }
  | { readonly valid: false; readonly code: string; readonly message: string; readonly line?: number; readonly column?: number };

/** A definition as the management API shows it: the record and, for audiences, the member count. */
export interface DefinitionView {
  readonly record: DefinitionRecord;
  readonly size: number | undefined;
}

export interface DefinitionRegistry {
  /** Any definition by id, deleted ones (tombstones) included. */
  byId(id: string): DefinitionRecord | undefined;
  list(spaceId: string, kind: DefinitionKind): DefinitionView[];
  /**
   * The keys of a space's definitions that are not deleted (disabled ones included), by kind: what
   * the Profile API's `class=` filter asks. Cached until the next committed change.
   */
  liveKeys(spaceId: string): ReadonlyMap<string, DefinitionKind>;
  /** By id or by key; deleted definitions are not found. */
  find(spaceId: string, kind: DefinitionKind, idOrKey: string): DefinitionView | undefined;
  create(spaceId: string, input: DefinitionInput): Promise<DefinitionView>;
  update(spaceId: string, kind: DefinitionKind, idOrKey: string, patch: DefinitionPatch): Promise<DefinitionView>;
  remove(spaceId: string, kind: DefinitionKind, idOrKey: string): Promise<void>;
  /**
   * Parses and type checks a query as creating it would (syntax, types, what is supported), and
   * names the events and traits it reads; a refusal comes back as data, with its position.
   */
  check(kind: DefinitionKind, query: string, target: DefinitionTarget): QueryCheck;
  /**
   * Who an audience would hold if it were created now (or at a later `at`, with no new events),
   * checked as a creation checks its query and evaluated over stored history; nothing is written.
   */
  preview(spaceId: string, input: PreviewInput): Promise<PreviewOutcome>;
  /** Every live audience's current size (all spaces): what the size sampler records. */
  audienceSizes(): Array<{ readonly id: string; readonly size: number }>;
  /** Restarts the backfills a restart interrupted (Preparing or Computing). */
  resumeBackfills(): void;
  /** Resolves once no backfill is running (tests). */
  idle(): Promise<void>;
  /** Stops running backfills where they are (they resume at the next start) and waits for them. */
  close(): Promise<void>;
}

const KIND_PREFIX: Record<DefinitionKind, string> = { audience: 'aud_', computed_trait: 'trt_' };
const PROGRESS_WRITE_MS = 250;

/**
 * The main thread's single writer of definitions. Every change is validated (parse, type check,
 * cycle check), committed to LMDB, and only then published by bumping the version, so the next
 * shard request carries it. Keys are unique per space across audiences and computed traits,
 * tombstones included (never reused). Backfills run here, one per definition at a time.
 */
export function createDefinitionRegistry(deps: { store: EngineStore; pool: () => ShardPool; clock: Clock; log: Logger; publication: Publication }): DefinitionRegistry {
  const { store, clock, log, publication } = deps;
  const byId = new Map<string, DefinitionRecord>();
  for (const { value } of store.definitions.getRange()) byId.set(value.id, value);
  const running = new Map<string, Promise<void>>();
  let closing = false;
  /** `liveKeys` per space; cleared by every `save` (the only place keys appear or go). */
  const keysBySpace = new Map<string, ReadonlyMap<string, DefinitionKind>>();

  function recordsOf(spaceId: string): DefinitionRecord[] {
    return [...byId.values()].filter((r) => r.spaceId === spaceId);
  }

  function locate(spaceId: string, kind: DefinitionKind, idOrKey: string): DefinitionRecord | undefined {
    const direct = byId.get(idOrKey);
    if (direct !== undefined && direct.spaceId === spaceId && direct.kind === kind && direct.deletedAt === undefined) return direct;
    return recordsOf(spaceId).find((r) => r.key === idOrKey && r.kind === kind && r.deletedAt === undefined);
  }

  function view(record: DefinitionRecord): DefinitionView {
    return { record, size: record.kind === 'audience' ? sizeOf(record.id) : undefined };
  }

  function sizeOf(id: string): number {
    let size = 0;
    for (const { value } of store.definitionSizes.getRange({ start: [id], end: [`${id}\u0000`] })) size += value;
    return size;
  }

  /**
   * Every change takes effect in memory in the same tick as its LMDB write is issued, and LMDB
   * applies writes in issue order: so each change builds on the latest one, and the last change
   * wins in memory and on disk alike. (Regression: set after the write resolved, a backfill's
   * status step that read the record before a PATCH landed after it and put the old name back;
   * and two creates of one key could both pass the check while the first was being written.)
   */
  function put(record: DefinitionRecord): Promise<void> {
    const previous = byId.get(record.id);
    byId.set(record.id, record);
    keysBySpace.delete(record.spaceId);
    return store.definitions.put(record.id, record).then(
      () => undefined,
      (error: unknown) => {
        // Not durable: undo, unless a later change has superseded it.
        if (byId.get(record.id) === record) {
          if (previous === undefined) byId.delete(record.id);
          else byId.set(record.id, previous);
          keysBySpace.delete(record.spaceId);
        }
        throw error;
      },
    );
  }

  async function save(record: DefinitionRecord): Promise<void> {
    await put(record);
    // Published only once committed: shards read the definitions from LMDB.
    publication.bump();
  }

  function checked(spaceId: string, kind: DefinitionKind, key: string, query: string, target: DefinitionTarget, excludeId?: string): DefinitionAst {
    const ast = evaluable(kind, query, target);
    const live = recordsOf(spaceId).filter((r) => r.deletedAt === undefined && r.id !== excludeId);
    const candidates = [...live.map((r) => ({ key: r.key, ast: r.ast })), { key, ast }];
    const order = orderDefinitions(candidates, (d) => new Set(definitionDependencies(d.ast).traitKeys));
    if (!order.ok) {
      const what = kind === 'audience' ? 'audience' : 'computed trait';
      throw new AppError('definition_cycle', `The ${what} would create a cycle by referencing another audience or computed trait (keys: ${order.cycle.keys.join(', ')}).`);
    }
    return ast;
  }

  async function transitionTo(id: string, event: LifecycleEvent, revision?: number): Promise<DefinitionRecord | undefined> {
    const current = byId.get(id);
    if (current === undefined || current.deletedAt !== undefined || (revision !== undefined && current.revision !== revision)) return undefined;
    const lifecycle = stepLifecycle(current.lifecycle, event);
    if (lifecycle === current.lifecycle || JSON.stringify(lifecycle) === JSON.stringify(current.lifecycle)) return current;
    const next = { ...current, lifecycle };
    await put(next);
    return next;
  }

  function startBackfill(record: DefinitionRecord): void {
    const { id, revision } = record;
    const previous = running.get(id) ?? Promise.resolve();
    const run = previous.then(async () => {
      const current = byId.get(id);
      if (closing || current === undefined || current.revision !== revision || current.deletedAt !== undefined || !current.enabled) return;
      await transitionTo(id, { type: 'backfill.started' }, revision);
      let lastWrite = 0;
      try {
        const outcome = await runBackfill(
          current,
          { pool: deps.pool(), store, clock, log },
          {
            onProgress: (progress) => {
              if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
              lastWrite = Date.now();
              void transitionTo(id, { type: 'backfill.progressed', progress }, revision);
            },
            isCancelled: () => {
              const now = byId.get(id);
              return closing || now === undefined || now.revision !== revision || now.deletedAt !== undefined || !now.enabled;
            },
          },
        );
        if (outcome !== 'cancelled') await transitionTo(id, { type: 'backfill.completed' }, revision);
      } catch (caught) {
        const error = ensureError(caught);
        log.error({ err: error, definitionId: id }, 'backfill failed');
        await transitionTo(id, { type: 'backfill.failed', reason: error.message }, revision);
        publication.bump();
      }
    });
    const tracked = run.finally(() => {
      if (running.get(id) === tracked) running.delete(id);
    });
    running.set(id, tracked);
  }

  return {
    byId: (id) => byId.get(id),
    liveKeys(spaceId) {
      let keys = keysBySpace.get(spaceId);
      if (keys === undefined) {
        keys = new Map(recordsOf(spaceId).filter((r) => r.deletedAt === undefined).map((r) => [r.key, r.kind]));
        keysBySpace.set(spaceId, keys);
      }
      return keys;
    },
    list: (spaceId, kind) => recordsOf(spaceId).filter((r) => r.kind === kind && r.deletedAt === undefined).sort((a, b) => a.createdAt - b.createdAt).map(view),
    find(spaceId, kind, idOrKey) {
      const record = locate(spaceId, kind, idOrKey);
      return record === undefined ? undefined : view(record);
    },
    async create(spaceId, input) {
      const key = input.key ?? deriveDefinitionKey(input.name);
      if (input.key === undefined && key === '') {
        throw new AppError('invalid_body', `No key can be derived from the name ${JSON.stringify(input.name)}; give a "key".`);
      }
      if (!isValidDefinitionKey(key)) {
        throw new AppError('invalid_body', `"key" must be lower-case letters and digits in words joined by "_", at most ${MAX_DEFINITION_KEY_LENGTH} characters.`);
      }
      const taken = recordsOf(spaceId).find((r) => r.key === key);
      if (taken !== undefined) {
        throw new AppError('key_in_use', taken.deletedAt === undefined ? `The key "${key}" is in use by ${taken.id}.` : `The key "${key}" belonged to a deleted definition; keys are never reused.`);
      }
      const ast = checked(spaceId, input.kind, key, input.query, input.target);
      const now = clock.now();
      // An enabled definition always backfills: without historical data it replays nothing but
      // still evaluates every profile (regression: count() had no 0, and `count() = 0` audiences
      // no members, on profiles no event touched after the creation).
      const lifecycle = stepLifecycle(initialLifecycle(), input.enabled ? { type: 'backfill.requested' } : { type: 'definition.disabled' });
      const record: DefinitionRecord = {
        id: `${KIND_PREFIX[input.kind]}${randomUUID().replaceAll('-', '').slice(0, 24)}`,
        spaceId,
        kind: input.kind,
        key,
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        query: input.query,
        target: input.target,
        ast,
        revision: 1,
        enabled: input.enabled,
        options: input.options,
        lifecycle,
        createdAt: now,
        updatedAt: now,
      };
      await save(record);
      if (input.enabled) startBackfill(record);
      return view(byId.get(record.id) ?? record);
    },
    async update(spaceId, kind, idOrKey, patch) {
      const current = locate(spaceId, kind, idOrKey);
      if (current === undefined) throw new AppError('not_found', `No ${kind === 'audience' ? 'audience' : 'computed trait'} ${idOrKey}.`);
      const redefined = patch.query !== undefined && patch.query !== current.query;
      const ast = redefined ? checked(spaceId, kind, current.key, patch.query!, current.target, current.id) : current.ast;
      const enabled = patch.enabled ?? current.enabled;
      // A re-definition always evaluates every profile (replaying history only when asked); a
      // re-enabled definition replays history when asked.
      const backfills = enabled && (redefined || (!current.enabled && current.options.includeHistoricalData));
      let lifecycle = current.lifecycle;
      if (!enabled) lifecycle = stepLifecycle(lifecycle, { type: 'definition.disabled' });
      else if (!current.enabled) lifecycle = stepLifecycle(lifecycle, { type: 'definition.enabled', backfill: backfills });
      else if (redefined) lifecycle = stepLifecycle(lifecycle, { type: backfills ? 'backfill.requested' : 'backfill.skipped' });
      const record: DefinitionRecord = {
        ...current,
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(redefined ? { query: patch.query!, ast, revision: current.revision + 1 } : {}),
        enabled,
        lifecycle,
        updatedAt: clock.now(),
      };
      await save(record);
      if (backfills) startBackfill(record);
      return view(byId.get(record.id) ?? record);
    },
    check(kind, query, target) {
      const parsed = parseDefinition(query, { kind, target });
      if (!parsed.ok) return { valid: false, code: 'invalid_definition', message: parsed.error.message, line: parsed.error.line, column: parsed.error.column };
      try {
        evaluable(kind, query, target);
      } catch (caught) {
        const error = ensureError(caught);
        return { valid: false, code: error instanceof AppError ? error.code : 'invalid_definition', message: error.message };
      }
      const { eventNames, traitKeys } = definitionDependencies(parsed.value);
      return { valid: true, eventNames, traitKeys };
    },
    async preview(spaceId, input) {
      // Nothing refers to a preview, so it cannot close a cycle: syntax, types and support only.
      const ast = evaluable('audience', input.query, input.target);
      const started = performance.now();
      return runPreview(deps.pool(), spaceId, { ast, target: input.target, options: input.options, ...(input.at === undefined ? {} : { at: input.at }), limits: input.limits }, clock.now(), () => performance.now() - started);
    },
    async remove(spaceId, kind, idOrKey) {
      const current = locate(spaceId, kind, idOrKey);
      if (current === undefined) throw new AppError('not_found', `No ${kind === 'audience' ? 'audience' : 'computed trait'} ${idOrKey}.`);
      await save({ ...current, deletedAt: clock.now(), updatedAt: clock.now() });
    },
    audienceSizes() {
      return [...byId.values()].filter((r) => r.kind === 'audience' && r.deletedAt === undefined).map((r) => ({ id: r.id, size: sizeOf(r.id) }));
    },
    resumeBackfills() {
      for (const record of byId.values()) {
        const interrupted = record.lifecycle.status === 'Preparing' || record.lifecycle.status === 'Computing';
        if (interrupted && record.deletedAt === undefined && record.enabled) startBackfill(record);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async close() {
      closing = true;
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}

/** A query parsed, type checked and compiled, or the 400 that says why it cannot be. */
function evaluable(kind: DefinitionKind, query: string, target: DefinitionTarget): DefinitionAst {
  const parsed = parseDefinition(query, { kind, target });
  if (!parsed.ok) throw new AppError('invalid_definition', parsed.error.message);
  const ast = parsed.value;
  if (containsQuantifier(ast.root)) {
    throw new AppError('unsupported_definition', 'ANY/ALL over the users linked to an account are not evaluated yet; an ACCOUNTS definition without them runs on the account profiles themselves.');
  }
  compileDefinition(ast);
  return ast;
}

function containsQuantifier(node: Condition | ValueExpr): boolean {
  switch (node.kind) {
    case 'quantified':
      return true;
    case 'and':
    case 'or':
      return node.operands.some(containsQuantifier);
    case 'not':
      return containsQuantifier(node.operand);
    default:
      return false;
  }
}
