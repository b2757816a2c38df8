// bench/micro.ts
import { execFile } from "node:child_process";
import { promisify as promisify2 } from "node:util";
import { mkdtempSync, mkdirSync as mkdirSync3, rmSync, writeFileSync as writeFileSync2 } from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { join as join3 } from "node:path";
import { pino } from "pino";

// src/shared/assert-never.ts
function assertNever(value) {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}

// src/shared/own-value.ts
function ownValue(record, key) {
  return record !== void 0 && Object.hasOwn(record, key) ? record[key] : void 0;
}

// src/actors/absorb-profile.ts
function absorbProfile(winner, loser) {
  const traits = { ...winner.traits };
  for (const [key, entry] of Object.entries(loser.traits)) {
    const mine = ownValue(traits, key);
    if (mine === void 0 || entry.updatedAt > mine.updatedAt) traits[key] = entry;
  }
  const eventCounts = { ...winner.eventCounts };
  for (const [type, count] of Object.entries(loser.eventCounts)) eventCounts[type] = (eventCounts[type] ?? 0) + (count ?? 0);
  const known = new Set(winner.identifiers.map((i) => `${i.type}\0${i.value}`));
  const identifiers = [...winner.identifiers, ...loser.identifiers.filter((i) => !known.has(`${i.type}\0${i.value}`))];
  const effects = [];
  const timers = { ...winner.timers };
  for (const [key, dueAt] of Object.entries(loser.timers)) {
    effects.push({ type: "timer.cleared", profileId: loser.id, key, dueAt });
    const mine = ownValue(timers, key);
    if (mine !== void 0 && mine <= dueAt) continue;
    if (mine !== void 0) effects.push({ type: "timer.cleared", profileId: winner.id, key, dueAt: mine });
    timers[key] = dueAt;
    effects.push({ type: "timer.set", profileId: winner.id, key, dueAt });
  }
  const state = {
    ...winner,
    version: winner.version + 1,
    traits,
    identifiers,
    eventCounts,
    firstSeenAt: Math.min(winner.firstSeenAt, loser.firstSeenAt),
    lastSeenAt: Math.max(winner.lastSeenAt, loser.lastSeenAt),
    first: earlier(winner.first, loser.first),
    last: later(winner.last, loser.last),
    timers,
    mergedFrom: [...winner.mergedFrom, loser.id, ...loser.mergedFrom],
    ...loser.links === void 0 ? {} : { links: { ...loser.links, ...winner.links } }
  };
  return { state, effects };
}
function earlier(a, b) {
  return b.receivedAt < a.receivedAt ? b : a;
}
function later(a, b) {
  return b.receivedAt > a.receivedAt ? b : a;
}

// src/actors/merge-traits.ts
function mergeTraits(current, incoming, timestamp, sourceId) {
  let next;
  for (const key of Object.keys(incoming)) {
    const value = incoming[key];
    if (value === void 0) continue;
    const existing = ownValue(current, key);
    if (existing !== void 0 && existing.updatedAt > timestamp) continue;
    next ??= { ...current };
    next[key] = { value, updatedAt: timestamp, sourceId };
  }
  return next ?? current;
}

// src/actors/compute-states.ts
var UNALIGNED = -1;
function computeEntries(compute) {
  if (compute === void 0) return [];
  return compute.slots.filter((entry) => entry !== void 0);
}
function alignComputeStates(compute, set) {
  if (compute !== void 0 && compute.layout === set.layout && compute.slots.length === set.ordered.length) return compute;
  const slots = new Array(set.ordered.length);
  for (const entry of computeEntries(compute)) {
    const definition = set.byId.get(entry.id);
    if (definition !== void 0) slots[definition.rank] = entry;
  }
  return { layout: set.layout, slots };
}

// src/compute/values.ts
function isAbsent(value) {
  return value === void 0 || value === null;
}
function textForm(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
function identityKey(value) {
  if (typeof value === "string") return `s${value}`;
  if (typeof value === "number") return `n${value}`;
  if (typeof value === "boolean") return value ? "bt" : "bf";
  if (value === null) return "z";
  return `j${JSON.stringify(value)}`;
}
function valueOfIdentityKey(key) {
  const tag = key[0];
  const rest = key.slice(1);
  switch (tag) {
    case "s":
      return rest;
    case "n":
      return Number(rest);
    case "b":
      return rest === "t";
    case "z":
      return null;
    default:
      return JSON.parse(rest);
  }
}
function sameValue(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return identityKey(a) === identityKey(b);
}
function compareCodePoints(a, b) {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}
function codePointRank(unit) {
  if (unit < 55296) return unit;
  return unit >= 57344 ? unit - 2048 : unit + 8192;
}
function orderValues(a, b) {
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  return void 0;
}
var ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
function asInstant(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : void 0;
  if (typeof value !== "string" || !ISO_DATE.test(value)) return void 0;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? void 0 : parsed;
}

// src/actors/profile-state.ts
function emptyProfile(id, spaceId, origin, at, collection = "users") {
  return {
    id,
    spaceId,
    ...collection === "accounts" ? { collection } : {},
    version: 0,
    traits: {},
    identifiers: [],
    eventCounts: {},
    firstSeenAt: at,
    lastSeenAt: at,
    first: origin,
    last: origin,
    timers: {},
    mergedFrom: []
  };
}
function visibleTraits(state) {
  return Object.entries(state.traits).filter(([, entry]) => entry.value !== null);
}
function collectionOfProfile(state) {
  return state.collection ?? "users";
}

// src/shared/json.ts
function isJsonObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// src/compute/occurrence.ts
function occurrenceName(event) {
  switch (event.type) {
    case "track":
      return event.event;
    case "page":
      return "Page Viewed";
    case "screen":
      return "Screen Viewed";
    default:
      return void 0;
  }
}
var pathParts = /* @__PURE__ */ new Map();
function readPath(root, path) {
  if (root === void 0) return void 0;
  let parts = pathParts.get(path);
  if (parts === void 0) {
    parts = path.split(".");
    if (pathParts.size < 1e4) pathParts.set(path, parts);
  }
  let current = root;
  for (const part of parts) {
    if (!isJsonObject(current) || !Object.hasOwn(current, part)) return void 0;
    current = current[part];
  }
  return current;
}
function readField(event, field) {
  if (field.source === "context") return readPath(event.context, field.path);
  const value = readPath(event.properties, field.path);
  if (value !== void 0) return value;
  if (event.type === "page" && field.path === "page_name") return event.name;
  if (event.type === "screen" && field.path === "screen_name") return event.name;
  return void 0;
}

// src/actors/recompute-definitions.ts
function definitionTimerKey(definitionId) {
  return `def:${definitionId}`;
}
function definitionOfTimerKey(key) {
  return key.startsWith("def:") ? key.slice(4) : void 0;
}
var KNOWN_IDENTIFIER_TYPES = /* @__PURE__ */ new Set(["user_id", "email", "android.idfa", "ios.idfa"]);
function isKnownProfile(state) {
  return state.identifiers.some((identifier) => KNOWN_IDENTIFIER_TYPES.has(identifier.type));
}
function recomputeDefinitions(state, definitions, trigger, now) {
  if (definitions.ordered.length === 0) return { state, effects: [] };
  const worklist = initialWorklist(definitions, trigger);
  if (worklist.length === 0) return { state, effects: [] };
  const wokenOtherwise = new Set(trigger.all === true ? worklist : void 0);
  if (trigger.changedTraits !== void 0) for (const key of trigger.changedTraits) for (const d of definitions.byTrait.get(key) ?? []) wokenOtherwise.add(d);
  if (trigger.definitionIds !== void 0) {
    for (const id of trigger.definitionIds) {
      const d = definitions.byId.get(id);
      if (d !== void 0) wokenOtherwise.add(d);
    }
  }
  const known = isKnownProfile(state);
  const aligned = alignComputeStates(state.compute, definitions);
  let slots;
  let traits;
  const effects = [];
  const traitValue = (key) => {
    const entry = Object.hasOwn(traits ?? state.traits, key) ? (traits ?? state.traits)[key] : void 0;
    return entry === void 0 || entry.value === null ? void 0 : entry.value;
  };
  const observed = trigger.event === void 0 ? void 0 : occurrenceName(trigger.event);
  for (let i = 0; i < worklist.length; i += 1) {
    const definition = worklist[i];
    const entry = (slots ?? aligned.slots)[definition.rank];
    const { evaluator } = definition;
    let evaluatorState = entry?.revision === definition.revision ? entry.state : evaluator.initialState();
    if (trigger.event !== void 0 && observed !== void 0 && evaluator.eventNames.has(observed)) {
      evaluatorState = evaluator.observe(evaluatorState, trigger.event, now);
    }
    evaluatorState = evaluator.prune(evaluatorState, now);
    if (entry !== void 0 && entry.state === evaluatorState && entry.revision === definition.revision && !wokenOtherwise.has(definition)) continue;
    if (entry?.revision === definition.revision && evaluator.monotone && !wokenOtherwise.has(definition) && traitValue(definition.key) === true) {
      if (entry.state !== evaluatorState) {
        slots ??= aligned.slots.slice();
        slots[definition.rank] = { ...entry, state: evaluatorState };
      }
      continue;
    }
    const qualifies = known || definition.includeAnonymousUsers;
    const evaluated = qualifies ? evaluator.evaluateWithNextChange(evaluatorState, traitValue, now) : void 0;
    const answer = evaluated !== void 0 ? evaluated.value : definition.kind === "audience" ? false : void 0;
    const written = writeAnswer(definition, answer, traitValue(definition.key), Object.hasOwn(traits ?? state.traits, definition.key));
    if (written !== void 0) {
      traits ??= { ...state.traits };
      traits[definition.key] = { value: written, updatedAt: now, sourceId: state.spaceId };
      for (const reader of definitions.byTrait.get(definition.key) ?? []) {
        wokenOtherwise.add(reader);
        enqueue(worklist, reader, i);
      }
    }
    const armed = entry?.due;
    const next = evaluated?.nextChangeAt;
    const due = next !== void 0 && (armed === void 0 || next < armed) ? next : armed;
    if (armed !== due) {
      const key = definitionTimerKey(definition.id);
      if (armed !== void 0) effects.push({ type: "timer.cleared", profileId: state.id, key, dueAt: armed });
      if (due !== void 0) effects.push({ type: "timer.set", profileId: state.id, key, dueAt: due });
    }
    if (entry === void 0 || entry.state !== evaluatorState || entry.revision !== definition.revision || armed !== due) {
      slots ??= aligned.slots.slice();
      slots[definition.rank] = due === void 0 ? { id: definition.id, revision: definition.revision, state: evaluatorState } : { id: definition.id, revision: definition.revision, state: evaluatorState, due };
    }
  }
  return {
    state: {
      ...state,
      ...slots !== void 0 ? { compute: { layout: aligned.layout, slots } } : aligned !== state.compute ? { compute: aligned } : {},
      ...traits === void 0 ? {} : { traits }
    },
    effects
  };
}
function writeAnswer(definition, answer, current, hasEntry) {
  if (definition.kind === "audience") {
    const member = answer === true;
    if (member) return current === true ? void 0 : true;
    return current === true ? false : void 0;
  }
  if (isAbsent(answer)) return hasEntry && !isAbsent(current) ? null : void 0;
  return !isAbsent(current) && sameValue(current, answer) ? void 0 : answer;
}
function initialWorklist(definitions, trigger) {
  if (trigger.all === true) return [...definitions.ordered];
  const name2 = trigger.event === void 0 ? void 0 : occurrenceName(trigger.event);
  const byEvent = name2 === void 0 ? void 0 : definitions.byEvent.get(name2);
  const nothingElse = (trigger.changedTraits === void 0 || trigger.changedTraits.size === 0) && (trigger.definitionIds === void 0 || trigger.definitionIds.size === 0);
  if (nothingElse) return byEvent === void 0 ? [] : byEvent.slice();
  const dirty = new Set(byEvent);
  for (const key of trigger.changedTraits ?? []) for (const d of definitions.byTrait.get(key) ?? []) dirty.add(d);
  for (const id of trigger.definitionIds ?? []) {
    const d = definitions.byId.get(id);
    if (d !== void 0) dirty.add(d);
  }
  return [...dirty].sort((a, b) => a.rank - b.rank);
}
function enqueue(worklist, reader, from) {
  for (let j = from + 1; j < worklist.length; j += 1) {
    const queued = worklist[j];
    if (queued === reader) return;
    if (queued.rank > reader.rank) {
      worklist.splice(j, 0, reader);
      return;
    }
  }
  worklist.push(reader);
}
function mergeComputeStates(winner, loser, definitions) {
  if (winner === void 0 && loser === void 0) return void 0;
  const a = alignComputeStates(winner, definitions).slots;
  const b = alignComputeStates(loser, definitions).slots;
  const slots = definitions.ordered.map((definition) => {
    const mine = currentEntry(a[definition.rank], definition);
    const theirs = currentEntry(b[definition.rank], definition);
    if (mine !== void 0 && theirs !== void 0) {
      return { id: definition.id, revision: definition.revision, state: definition.evaluator.merge(mine.state, theirs.state), ...mine.due === void 0 ? {} : { due: mine.due } };
    }
    return mine ?? theirs;
  });
  return { layout: definitions.layout, slots };
}
function currentEntry(entry, definition) {
  return entry?.revision === definition.revision ? entry : void 0;
}
function retireDefinitionTimers(profileId, compute) {
  return computeEntries(compute).filter((entry) => entry.due !== void 0).map((entry) => ({ type: "timer.cleared", profileId, key: definitionTimerKey(entry.id), dueAt: entry.due }));
}

// src/compute/compare.ts
function applyComparator(comparator, subject, operands, now, sink) {
  switch (comparator.op) {
    case "absent":
      return isAbsent(subject);
    case "exists":
      return !isAbsent(subject);
    case "equals":
    case "differs":
    case "greater_than":
    case "at_least":
    case "less_than":
    case "at_most": {
      const operand = operands[0];
      if (isAbsent(subject) || isAbsent(operand)) return false;
      return compareValues(comparator.op, subject, operand);
    }
    case "contains":
    case "omits":
    case "starts_with":
    case "ends_with":
    case "one_of":
      return matchAny(comparator.op, subject, operands);
    case "before_date":
    case "after_date": {
      if (isAbsent(subject)) return false;
      const t = asInstant(subject);
      if (t === void 0) return false;
      return comparator.op === "before_date" ? t < comparator.at : t > comparator.at;
    }
    case "within_last":
    case "within_next":
    case "before_last":
    case "after_next": {
      if (isAbsent(subject)) return false;
      const t = asInstant(subject);
      if (t === void 0) return false;
      const d = comparator.duration.ms;
      if (sink !== void 0) reportRelativeBounds(comparator.op, t, d, now, sink);
      switch (comparator.op) {
        case "within_last":
          return now - d <= t && t <= now;
        case "before_last":
          return t < now - d;
        case "within_next":
          return now <= t && t <= now + d;
        case "after_next":
          return t > now + d;
      }
    }
    // falls through: unreachable, every inner case returns
    default:
      return assertNever(comparator);
  }
}
function compareValues(op, a, b) {
  if (op === "equals") return sameValue(a, b);
  if (op === "differs") return !sameValue(a, b);
  const order = orderValues(a, b);
  if (order === void 0) return false;
  switch (op) {
    case "greater_than":
      return order > 0;
    case "at_least":
      return order >= 0;
    case "less_than":
      return order < 0;
    case "at_most":
      return order <= 0;
  }
}
function matchAny(op, subject, operands) {
  if (isAbsent(subject)) return false;
  const present = operands.filter((o) => !isAbsent(o));
  if (present.length === 0) return false;
  if (op === "one_of") return present.some((o) => sameValue(subject, o));
  const text = textForm(subject);
  switch (op) {
    case "contains":
      return present.some((o) => text.includes(textForm(o)));
    case "omits":
      return !present.some((o) => text.includes(textForm(o)));
    case "starts_with":
      return present.some((o) => text.startsWith(textForm(o)));
    case "ends_with":
      return present.some((o) => text.endsWith(textForm(o)));
  }
}
function reportRelativeBounds(op, t, d, now, sink) {
  const edges = op === "within_last" ? [Math.floor(t), Math.floor(t + d) + 1] : op === "before_last" ? [Math.floor(t + d) + 1] : op === "within_next" ? [Math.floor(t - d), Math.floor(t) + 1] : [Math.floor(t - d)];
  for (const edge of edges) if (edge > now) sink(edge);
}

// src/definitions/definition-dependencies.ts
function definitionDependencies(ast) {
  const events = /* @__PURE__ */ new Set();
  const traits = /* @__PURE__ */ new Set();
  const pending = [ast.root];
  for (let node = pending.pop(); node !== void 0; node = pending.pop()) {
    if (!("kind" in node)) {
      events.add(node.event);
      pending.push(...node.where);
      continue;
    }
    switch (node.kind) {
      case "and":
      case "or":
        pending.push(...node.operands);
        break;
      case "not":
      case "quantified":
        pending.push(node.operand);
        break;
      case "comparison":
        pending.push(node.subject, ...comparatorOperands(node.comparator));
        break;
      case "aggregate":
        pending.push(node.stream);
        break;
      case "trait":
        traits.add(node.key);
        break;
      case "literal":
      case "property":
      case "context":
        break;
      default:
        assertNever(node);
    }
  }
  return { eventNames: [...events].sort(compareCodePoints2), traitKeys: [...traits].sort(compareCodePoints2) };
}
function comparatorOperands(comparator) {
  switch (comparator.op) {
    case "equals":
    case "differs":
    case "greater_than":
    case "at_least":
    case "less_than":
    case "at_most":
      return [comparator.operand];
    case "contains":
    case "omits":
    case "starts_with":
    case "ends_with":
    case "one_of":
      return comparator.operands;
    case "absent":
    case "exists":
    case "before_date":
    case "after_date":
    case "within_last":
    case "within_next":
    case "before_last":
    case "after_next":
      return [];
    default:
      return assertNever(comparator);
  }
}
function compareCodePoints2(a, b) {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (; ; ) {
    const x = left.next();
    const y = right.next();
    if (x.done === true || y.done === true) return (x.done === true ? 0 : 1) - (y.done === true ? 0 : 1);
    const dx = x.value.codePointAt(0) ?? 0;
    const dy = y.value.codePointAt(0) ?? 0;
    if (dx !== dy) return dx - dy;
  }
}

// src/compute/evaluate-condition.ts
function evaluateCondition(condition, env) {
  switch (condition.kind) {
    case "and": {
      let result = true;
      for (const operand of condition.operands) {
        const truth = evaluateCondition(operand, env);
        if (truth === false) {
          result = false;
          if (env.sink === void 0) return false;
        } else if (truth === "unknown" && result === true) result = "unknown";
      }
      return result;
    }
    case "or": {
      let result = false;
      for (const operand of condition.operands) {
        const truth = evaluateCondition(operand, env);
        if (truth === true) {
          result = true;
          if (env.sink === void 0) return true;
        } else if (truth === "unknown" && result === false) result = "unknown";
      }
      return result;
    }
    case "not": {
      const truth = evaluateCondition(condition.operand, env);
      return truth === "unknown" ? truth : !truth;
    }
    case "quantified":
      throw new Error("ANY/ALL are evaluated over an account\u2019s users, not on one profile");
    case "comparison":
      return evaluateComparison(condition.subject, condition.comparator, env);
    default:
      return assertNever(condition);
  }
}
function evaluateValue(expr, env) {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "trait":
      return env.trait(expr.key);
    case "property":
      return expr.scope === "parent" ? env.parentField(expr.path) : env.field("property", expr.path);
    case "context":
      return env.field("context", expr.path);
    case "aggregate":
      return env.aggregate(expr).value;
    default:
      return assertNever(expr);
  }
}
var single = [void 0];
var none = [];
function evaluateComparison(subject, comparator, env) {
  const aggregate = subject.kind === "aggregate" ? env.aggregate(subject) : void 0;
  const value = aggregate === void 0 ? evaluateValue(subject, env) : aggregate.value;
  let operands = none;
  if ("operand" in comparator) {
    const operand = evaluateValue(comparator.operand, env);
    single[0] = operand;
    operands = single;
  } else if ("operands" in comparator) operands = comparator.operands.map((o) => evaluateValue(o, env));
  const truth = applyComparator(comparator, value, operands, env.now, env.sink);
  if (aggregate === void 0 || aggregate.settled) return truth;
  return truth && staysTrue(subject.reducer, comparator, value) ? true : "unknown";
}
function staysTrue(reducer, comparator, value) {
  if (reducer.kind !== "count" && reducer.kind !== "unique_count") return false;
  if (!("operand" in comparator) || comparator.operand.kind !== "literal" || typeof comparator.operand.value !== "number") return false;
  const k = comparator.operand.value;
  if (comparator.op === "at_least" || comparator.op === "greater_than") return true;
  return comparator.op === "differs" && typeof value === "number" && value > k;
}

// src/compute/stream-plan.ts
function fieldKey(field) {
  return `${field.source}:${field.path}`;
}
function planStreams(root) {
  const roots = [];
  const rootAggregates = [];
  collectRootAggregates(root, void 0, rootAggregates);
  for (const { node, comparedWith } of rootAggregates) {
    roots.push(planRootStream(node, roots.length, comparedWith));
  }
  return { roots };
}
function collectRootAggregates(node, comparedWith, out) {
  if (node.kind === "aggregate") {
    out.push({ node, comparedWith });
    return;
  }
  if (node.kind === "comparison") {
    const { comparator } = node;
    const operand = "operand" in comparator ? comparator.operand : void 0;
    const literal = operand?.kind === "literal" && typeof operand.value === "number" ? operand.value : void 0;
    collectRootAggregates(node.subject, { op: comparator.op, literal }, out);
    return;
  }
  forEachChild(node, (child) => collectRootAggregates(child, void 0, out));
}
function planRootStream(node, index, comparedWith) {
  const { stream, reducer } = node;
  const { staticWhere, dynamicWhere } = splitWhere(stream.where);
  const childNodes = [];
  for (const condition of dynamicWhere) collectChildAggregates(condition, childNodes);
  const fields = new FieldTable();
  const reducerField = addReducerField(reducer, fields);
  for (const condition of dynamicWhere) collectFields(condition, fields, "event");
  const children = childNodes.map((child, childIndex) => {
    for (const condition of child.stream.where) collectFields(condition, fields, "parent");
    return planChildStream(child, childIndex);
  });
  const mode = stream.window === void 0 && dynamicWhere.length === 0 ? "summary" : "retained";
  return {
    ...basePlan(stream, reducer, staticWhere, dynamicWhere, fields, reducerField),
    index,
    mode,
    cap: capFor(stream.window, reducer, dynamicWhere, comparedWith),
    children
  };
}
function planChildStream(node, childIndex) {
  const { stream, reducer } = node;
  const { staticWhere, dynamicWhere } = splitWhere(stream.where);
  const fields = new FieldTable();
  const reducerField = addReducerField(reducer, fields);
  for (const condition of dynamicWhere) collectFields(condition, fields, "event");
  if (stream.window?.kind !== "parent") throw new Error(`funnel child event('${stream.event}') has no within(parent: \u2026) window`);
  return { ...basePlan(stream, reducer, staticWhere, dynamicWhere, fields, reducerField), childIndex, windowMs: stream.window.duration.ms };
}
function basePlan(stream, reducer, staticWhere, dynamicWhere, fields, reducerField) {
  return {
    stream,
    reducer,
    staticWhere,
    dynamicWhere,
    fields: fields.refs,
    fieldIndex: fields.index,
    reducerField,
    keepsMessageId: reducer.kind === "first" || reducer.kind === "last"
  };
}
function addReducerField(reducer, fields) {
  return reducer.kind === "count" ? void 0 : fields.add(reducer.field);
}
function capFor(window, reducer, dynamicWhere, comparedWith) {
  if (reducer.kind !== "count" || dynamicWhere.length > 0 || comparedWith?.literal === void 0) return void 0;
  if (window !== void 0 && window.kind !== "within") return void 0;
  const k = comparedWith.literal;
  if (k < 0) return 0;
  return comparedWith.op === "at_least" ? Math.ceil(k) : Math.floor(k) + 1;
}
var FieldTable = class {
  refs = [];
  index = /* @__PURE__ */ new Map();
  add(field) {
    const key = fieldKey(field);
    const existing = this.index.get(key);
    if (existing !== void 0) return existing;
    this.refs.push(field);
    this.index.set(key, this.refs.length - 1);
    return this.refs.length - 1;
  }
};
function splitWhere(where) {
  const staticWhere = [];
  const dynamicWhere = [];
  for (const condition of where) (isStatic(condition) ? staticWhere : dynamicWhere).push(condition);
  return { staticWhere, dynamicWhere };
}
function isStatic(node) {
  switch (node.kind) {
    case "and":
    case "or":
      return node.operands.every(isStatic);
    case "not":
    case "quantified":
      return isStatic(node.operand);
    case "comparison": {
      const { comparator } = node;
      if (comparator.op === "within_last" || comparator.op === "within_next" || comparator.op === "before_last" || comparator.op === "after_next") return false;
      const operands = "operand" in comparator ? [comparator.operand] : "operands" in comparator ? comparator.operands : [];
      return isStatic(node.subject) && operands.every(isStatic);
    }
    case "literal":
    case "context":
      return true;
    case "property":
      return node.scope === "event";
    case "trait":
    case "aggregate":
      return false;
    default:
      return assertNever(node);
  }
}
function collectChildAggregates(node, out) {
  forEachChild(node, (child) => {
    if (child.kind === "aggregate") out.push(child);
    else collectChildAggregates(child, out);
  });
}
function collectFields(node, fields, scope) {
  if (node.kind === "property" && node.scope === scope) fields.add({ source: "property", path: node.path });
  else if (node.kind === "context" && scope === "event") fields.add({ source: "context", path: node.path });
  else if (node.kind !== "aggregate") forEachChild(node, (child) => collectFields(child, fields, scope));
}
function forEachChild(node, visit) {
  switch (node.kind) {
    case "and":
    case "or":
      node.operands.forEach(visit);
      return;
    case "not":
    case "quantified":
      visit(node.operand);
      return;
    case "comparison": {
      visit(node.subject);
      const { comparator } = node;
      if ("operand" in comparator) visit(comparator.operand);
      if ("operands" in comparator) comparator.operands.forEach(visit);
      return;
    }
    case "aggregate":
    case "literal":
    case "trait":
    case "property":
    case "context":
      return;
    default:
      assertNever(node);
  }
}

// src/compute/accumulator.ts
function emptyAccumulator(reducer) {
  switch (reducer.kind) {
    case "count":
      return { k: "count", n: 0 };
    case "sum":
    case "avg":
      return { k: "sum", sum: 0, n: 0 };
    case "min":
    case "max":
      return { k: "best" };
    case "mode":
    case "unique":
    case "unique_count":
      return { k: "counts", counts: {} };
    case "first":
    case "last":
      return { k: "pick" };
  }
}
function accumulate(reducer, acc, item) {
  const { value } = item;
  switch (acc.k) {
    case "count":
      return { k: "count", n: acc.n + 1 };
    case "sum":
      return typeof value === "number" && Number.isFinite(value) ? { k: "sum", sum: acc.sum + value, n: acc.n + 1 } : acc;
    case "best": {
      const candidate = reducer.kind === "min" || reducer.kind === "max" ? bestCandidate(reducer.as, value) : void 0;
      return candidate === void 0 || !beats(reducer, candidate, acc.best) ? acc : { k: "best", best: candidate };
    }
    case "counts": {
      if (isAbsent(value)) return acc;
      const key = identityKey(value);
      return { k: "counts", counts: { ...acc.counts, [key]: (Object.hasOwn(acc.counts, key) ? acc.counts[key] ?? 0 : 0) + 1 } };
    }
    case "pick":
      if (isAbsent(value)) return acc;
      return acc.t === void 0 || picks(reducer, item.t, item.m, acc.t, acc.m ?? "") ? { k: "pick", t: item.t, m: item.m, v: value } : acc;
  }
}
function mergeAccumulators(reducer, a, b) {
  if (a.k === "count" && b.k === "count") return { k: "count", n: a.n + b.n };
  if (a.k === "sum" && b.k === "sum") return { k: "sum", sum: a.sum + b.sum, n: a.n + b.n };
  if (a.k === "best" && b.k === "best") return b.best === void 0 || !beats(reducer, b.best, a.best) ? a : b;
  if (a.k === "counts" && b.k === "counts") {
    const counts = { ...a.counts };
    for (const [key, n] of Object.entries(b.counts)) counts[key] = (Object.hasOwn(counts, key) ? counts[key] ?? 0 : 0) + n;
    return { k: "counts", counts };
  }
  if (a.k === "pick" && b.k === "pick") {
    if (b.t === void 0) return a;
    if (a.t === void 0) return b;
    return picks(reducer, b.t, b.m ?? "", a.t, a.m ?? "") ? b : a;
  }
  throw new Error(`cannot merge accumulators of kinds ${a.k} and ${b.k}`);
}
function accumulatorResult(reducer, acc) {
  switch (acc.k) {
    case "count":
      return acc.n;
    case "sum":
      if (acc.n === 0) return void 0;
      return reducer.kind === "avg" ? acc.sum / acc.n : acc.sum;
    case "best":
      return acc.best;
    case "counts":
      return countsResult(reducer, acc.counts);
    case "pick":
      return acc.v;
  }
}
function countsResult(reducer, counts) {
  const keys = Object.keys(counts);
  if (reducer.kind === "unique_count") return keys.length;
  if (reducer.kind === "unique") {
    if (keys.length === 0) return void 0;
    return keys.map(valueOfIdentityKey).sort(compareForList);
  }
  if (reducer.kind !== "mode") return void 0;
  let winner;
  let winnerCount = 0;
  for (const key of keys) {
    const n = counts[key] ?? 0;
    if (n < reducer.minFrequency) continue;
    const value = valueOfIdentityKey(key);
    if (winner === void 0 || n > winnerCount || n === winnerCount && compareForList(value, winner) < 0) {
      winner = value;
      winnerCount = n;
    }
  }
  return winner;
}
function compareForList(a, b) {
  const byText = compareCodePoints(textForm(a), textForm(b));
  if (byText !== 0) return byText;
  return compareCodePoints(jsonTypeName(a), jsonTypeName(b));
}
function jsonTypeName(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
function bestCandidate(as, value) {
  if (as === "number") return typeof value === "number" && Number.isFinite(value) ? value : void 0;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return textForm(value);
  return void 0;
}
function beats(reducer, candidate, current) {
  if (current === void 0) return true;
  const order = typeof candidate === "number" && typeof current === "number" ? candidate - current : compareCodePoints(String(candidate), String(current));
  return reducer.kind === "min" ? order < 0 : order > 0;
}
function picks(reducer, t, m, tm, mm) {
  const order = t !== tm ? t - tm : compareCodePoints(m, mm);
  return reducer.kind === "first" ? order < 0 : order > 0;
}

// src/compute/stream-state.ts
function initialStreamState(plan) {
  return plan.mode === "summary" ? { s: "summary", acc: emptyAccumulator(plan.reducer), pending: [] } : { s: "retained", occ: [], kids: plan.children.map(() => []) };
}
function observeStream(plan, state, event, now) {
  const name2 = occurrenceName(event);
  let next = state;
  if (name2 === plan.stream.event && passesStaticFilters(plan, event)) next = addOccurrence(plan, next, project(plan, event), now);
  if (next.s === "retained") {
    for (const child of plan.children) {
      if (name2 !== child.stream.event || !passesStaticFilters(child, event)) continue;
      const occurrence = project(child, event);
      if (occurrence.t <= deadBefore(plan.stream.window, now)) continue;
      const kids = next.kids.slice();
      kids[child.childIndex] = insertSorted(kids[child.childIndex] ?? [], occurrence);
      next = { ...next, kids };
    }
  }
  return next;
}
function addOccurrence(plan, state, occurrence, now) {
  if (state.s === "summary") {
    if (occurrence.t > now) return { ...state, pending: insertSorted(state.pending, occurrence) };
    return { ...state, acc: accumulate(plan.reducer, state.acc, contribution(plan, occurrence)) };
  }
  if (occurrence.t <= deadBefore(plan.stream.window, now)) return state;
  return { ...state, occ: applyCap(plan, insertSorted(state.occ, occurrence), now) };
}
function pruneStream(plan, state, now) {
  if (state.s === "summary") {
    let due = 0;
    while (due < state.pending.length && (state.pending[due]?.t ?? Infinity) <= now) due += 1;
    if (due === 0) return state;
    let acc = state.acc;
    for (const occurrence of state.pending.slice(0, due)) acc = accumulate(plan.reducer, acc, contribution(plan, occurrence));
    return { ...state, acc, pending: state.pending.slice(due) };
  }
  const dead = deadBefore(plan.stream.window, now);
  const occ = applyCap(plan, dropThrough(state.occ, dead), now);
  let kids;
  for (let i = 0; i < state.kids.length; i++) {
    const list = state.kids[i];
    const kept = dropThrough(list, dead);
    if (kept !== list) (kids ??= state.kids.slice())[i] = kept;
  }
  if (occ === state.occ && kids === void 0) return state;
  return { s: "retained", occ, kids: kids ?? state.kids };
}
function mergeStreams(plan, a, b) {
  if (a.s === "summary" && b.s === "summary") {
    return { s: "summary", acc: mergeAccumulators(plan.reducer, a.acc, b.acc), pending: mergeSorted(a.pending, b.pending) };
  }
  if (a.s === "retained" && b.s === "retained") {
    return { s: "retained", occ: mergeSorted(a.occ, b.occ), kids: a.kids.map((list, i) => mergeSorted(list, b.kids[i] ?? [])) };
  }
  throw new Error("cannot merge stream states of different modes");
}
function compareOccurrences(a, b) {
  if (a.t !== b.t) return a.t - b.t;
  return a.m === b.m ? 0 : compareCodePoints(a.m, b.m);
}
function contribution(plan, occurrence) {
  return { value: plan.reducerField === void 0 ? void 0 : occurrence.v[plan.reducerField], t: occurrence.t, m: occurrence.m };
}
function deadBefore(window, now) {
  if (window === void 0 || window.kind === "parent") return -Infinity;
  return now - (window.kind === "within" ? window.duration.ms : window.end.ms);
}
var filtered;
var staticEnv = {
  now: 0,
  sink: void 0,
  trait: unreachable,
  field: (source, path) => readField(filtered, { source, path }),
  parentField: unreachable,
  aggregate: unreachable
};
function passesStaticFilters(plan, event) {
  if (plan.stream.excludeSources.length > 0 && plan.stream.excludeSources.includes(event.sourceId)) return false;
  if (plan.staticWhere.length === 0) return true;
  filtered = event;
  for (const condition of plan.staticWhere) if (evaluateCondition(condition, staticEnv) !== true) return false;
  return true;
}
function unreachable() {
  throw new Error("a static filter read something other than its own occurrence");
}
var NO_FIELDS = [];
function project(plan, event) {
  let v = NO_FIELDS;
  if (plan.fields.length > 0) {
    const values = new Array(plan.fields.length);
    for (let i = 0; i < plan.fields.length; i++) values[i] = readField(event, plan.fields[i]) ?? null;
    v = values;
  }
  return { t: event.timestamp, m: plan.keepsMessageId ? event.messageId : "", v };
}
function applyCap(plan, occ, now) {
  if (plan.cap === void 0) return occ;
  let due = 0;
  while (due < occ.length && (occ[due]?.t ?? Infinity) <= now) due += 1;
  return due > plan.cap ? occ.slice(due - plan.cap) : occ;
}
function dropThrough(list, dead) {
  let first = 0;
  while (first < list.length && (list[first]?.t ?? Infinity) <= dead) first += 1;
  return first === 0 ? list : list.slice(first);
}
function insertSorted(list, occurrence) {
  const last = list[list.length - 1];
  if (last === void 0 || compareOccurrences(last, occurrence) <= 0) {
    const appended = list.slice();
    appended.push(occurrence);
    return appended;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (compareOccurrences(list[mid], occurrence) <= 0) lo = mid + 1;
    else hi = mid;
  }
  const inserted = list.slice();
  inserted.splice(lo, 0, occurrence);
  return inserted;
}
function mergeSorted(a, b) {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort(compareOccurrences);
}

// src/compute/reduce-occurrences.ts
function reduceOccurrences(reducer, list, lo, hi, field, keep) {
  switch (reducer.kind) {
    case "count": {
      if (keep === void 0) return Math.max(0, hi - lo);
      let n = 0;
      for (let i = lo; i < hi; i++) if (keep(list[i])) n++;
      return n;
    }
    case "sum":
    case "avg": {
      let sum = 0;
      let n = 0;
      for (let i = lo; i < hi; i++) {
        const occurrence = list[i];
        if (keep !== void 0 && !keep(occurrence)) continue;
        const value = field === void 0 ? void 0 : occurrence.v[field];
        if (typeof value === "number" && Number.isFinite(value)) {
          sum += value;
          n++;
        }
      }
      if (n === 0) return void 0;
      return reducer.kind === "avg" ? sum / n : sum;
    }
    case "first":
    case "last": {
      const step = reducer.kind === "first" ? 1 : -1;
      for (let i = reducer.kind === "first" ? lo : hi - 1; i >= lo && i < hi; i += step) {
        const occurrence = list[i];
        if (keep !== void 0 && !keep(occurrence)) continue;
        const value = field === void 0 ? void 0 : occurrence.v[field];
        if (value !== void 0 && value !== null) return value;
      }
      return void 0;
    }
    case "min":
    case "max": {
      const sign = reducer.kind === "min" ? -1 : 1;
      let best;
      for (let i = lo; i < hi; i++) {
        const occurrence = list[i];
        if (keep !== void 0 && !keep(occurrence)) continue;
        const candidate = bestCandidate(reducer.as, field === void 0 ? void 0 : occurrence.v[field]);
        if (candidate === void 0) continue;
        if (best === void 0) best = candidate;
        else if (typeof candidate === "number" && typeof best === "number") {
          if ((candidate - best) * sign > 0) best = candidate;
        } else if (compareCodePoints(String(candidate), String(best)) * sign > 0) best = candidate;
      }
      return best;
    }
    case "mode":
    case "unique":
    case "unique_count":
      return countsOverRange(reducer, list, lo, hi, field, keep);
  }
}
function countsOverRange(reducer, list, lo, hi, field, keep) {
  const counts = /* @__PURE__ */ new Map();
  for (let i = lo; i < hi; i++) {
    const occurrence = list[i];
    if (keep !== void 0 && !keep(occurrence)) continue;
    const value = field === void 0 ? void 0 : occurrence.v[field];
    if (value === void 0 || value === null) continue;
    const key = identityKey(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (reducer.kind === "unique_count") return counts.size;
  return accumulatorResult(reducer, { k: "counts", counts: Object.fromEntries(counts) });
}
function firstAfter(list, at) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (list[mid].t <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// src/compute/stream-value.ts
function rootStreamValue(plan, state, traits, now, sink) {
  if (state.s === "summary") {
    let acc = state.acc;
    for (const occurrence of state.pending) {
      if (occurrence.t > now) {
        sink?.(occurrence.t);
        break;
      }
      acc = accumulate(plan.reducer, acc, contribution(plan, occurrence));
    }
    return accumulatorResult(plan.reducer, acc);
  }
  const { occ } = state;
  const due = firstAfter(occ, now);
  if (due < occ.length) sink?.(occ[due].t);
  const window = plan.stream.window;
  let lo = 0;
  let hi = due;
  if (window?.kind === "within") {
    lo = firstAfter(occ, now - window.duration.ms);
    if (lo < hi) sink?.(occ[lo].t + window.duration.ms);
  } else if (window?.kind === "between") {
    lo = firstAfter(occ, now - window.end.ms);
    hi = firstAfter(occ, now - window.start.ms);
    if (lo < hi) sink?.(occ[lo].t + window.end.ms);
    if (hi < due) sink?.(occ[hi].t + window.start.ms);
  }
  if (plan.dynamicWhere.length === 0) return reduceOccurrences(plan.reducer, occ, lo, Math.max(lo, hi), plan.reducerField);
  const filter = dynamicFilter(plan, state, traits, now, sink);
  return reduceOccurrences(plan.reducer, occ, lo, Math.max(lo, hi), plan.reducerField, filter);
}
var runtimes = /* @__PURE__ */ new WeakMap();
function dynamicFilter(plan, state, traits, now, sink) {
  let runtime = runtimes.get(plan);
  if (runtime === void 0) {
    runtime = createFilterRuntime(plan);
    runtimes.set(plan, runtime);
  }
  runtime.state = state;
  runtime.traits = traits;
  runtime.now = now;
  runtime.sink = sink;
  return runtime.keep;
}
function createFilterRuntime(plan) {
  const runtime = {
    state: void 0,
    traits: () => void 0,
    now: 0,
    sink: void 0,
    current: void 0,
    keep: (occurrence) => {
      runtime.current = occurrence;
      let passes = true;
      for (const condition of plan.dynamicWhere) {
        if (evaluateCondition(condition, env) !== true) {
          passes = false;
          if (runtime.sink === void 0) break;
        }
      }
      return passes;
    },
    child: createChildRuntime(plan, () => runtime)
  };
  const env = {
    get now() {
      return runtime.now;
    },
    get sink() {
      return runtime.sink;
    },
    trait: (key) => runtime.traits(key),
    field: (source, path) => fieldOf(plan, runtime.current, source, path),
    parentField: () => void 0,
    aggregate: (node) => {
      const child = plan.children.find((c) => c.stream === node.stream);
      if (child === void 0) throw new Error(`no plan for the funnel child event('${node.stream.event}')`);
      return childValue(runtime, child, runtime.state?.kids[child.childIndex] ?? [], runtime.current);
    }
  };
  return runtime;
}
function createChildRuntime(parentPlan, parentRuntime) {
  const child = {
    plan: void 0,
    parent: void 0,
    kid: void 0,
    env: {
      get now() {
        return parentRuntime().now;
      },
      get sink() {
        return parentRuntime().sink;
      },
      trait: (key) => parentRuntime().traits(key),
      field: (source, path) => fieldOf(child.plan, child.kid, source, path),
      parentField: (path) => fieldOf(parentPlan, child.parent, "property", path),
      aggregate: () => {
        throw new Error("funnels nest one level");
      }
    },
    keep: (occurrence) => {
      child.kid = occurrence;
      for (const condition of child.plan.dynamicWhere) if (evaluateCondition(condition, child.env) !== true) return false;
      return true;
    }
  };
  return child;
}
function childValue(runtime, plan, kids, parent) {
  const { now, sink, child } = runtime;
  child.plan = plan;
  child.parent = parent;
  const close = parent.t + plan.windowMs;
  const lo = firstAfter(kids, parent.t);
  const end = firstAfter(kids, Math.min(close, now));
  const beyond = firstAfter(kids, close);
  if (end < beyond) sink?.(kids[end].t);
  const settled = now >= close;
  if (!settled) sink?.(close);
  const value = reduceOccurrences(plan.reducer, kids, lo, Math.max(lo, end), plan.reducerField, plan.dynamicWhere.length === 0 ? void 0 : child.keep);
  return { value, settled };
}
function fieldOf(plan, occurrence, source, path) {
  const index = plan.fieldIndex.get(fieldKey({ source, path }));
  if (index === void 0) throw new Error(`field ${source}('${path}') was not projected`);
  return occurrence.v[index] ?? void 0;
}

// src/compute/compile-definition.ts
function compileDefinition(ast) {
  const { roots } = planStreams(ast.root);
  const eventNames = /* @__PURE__ */ new Set();
  for (const plan of roots) {
    eventNames.add(plan.stream.event);
    for (const child of plan.children) eventNames.add(child.stream.event);
  }
  const traitKeys = new Set(definitionDependencies(ast).traitKeys);
  const planOfStream = new Map(roots.map((plan) => [plan.stream, plan]));
  const initial = stateOf(roots.map(initialStreamState));
  let currentStreams = [];
  let currentTraits = () => void 0;
  let currentNow = 0;
  let currentSink;
  const values = new Array(roots.length);
  const computed = new Array(roots.length).fill(false);
  const env = {
    get now() {
      return currentNow;
    },
    get sink() {
      return currentSink;
    },
    trait: (key) => currentTraits(key),
    field: () => {
      throw new Error("property() outside where()");
    },
    parentField: () => {
      throw new Error("property(parent:) outside a funnel");
    },
    aggregate: (node) => {
      const plan = planOfStream.get(node.stream);
      if (plan === void 0) throw new Error(`no plan for event('${node.stream.event}')`);
      if (!computed[plan.index]) {
        values[plan.index] = rootStreamValue(plan, currentStreams[plan.index], currentTraits, currentNow, currentSink);
        computed[plan.index] = true;
      }
      return { value: values[plan.index], settled: true };
    }
  };
  const single2 = roots.length === 1 ? roots[0] : void 0;
  const directValue = single2 !== void 0 && ast.kind === "computed_trait" && ast.root.kind === "aggregate";
  const directComparison = single2 !== void 0 && ast.kind === "audience" && ast.root.kind === "comparison" && ast.root.subject.kind === "aggregate" && literalOperand(ast.root.comparator);
  const directOperands = directComparison && ast.root.kind === "comparison" ? literalOperands(ast.root.comparator) : [];
  function answer(state, traits, now, sink) {
    currentStreams = streamsOf(state);
    currentTraits = traits;
    currentNow = now;
    currentSink = sink;
    if (directValue) return rootStreamValue(single2, currentStreams[0], traits, now, sink) ?? void 0;
    if (directComparison && ast.root.kind === "comparison") {
      const value = rootStreamValue(single2, currentStreams[0], traits, now, sink);
      return applyComparator(ast.root.comparator, value, directOperands, now, sink);
    }
    computed.fill(false);
    if (ast.kind === "audience") return evaluateCondition(ast.root, env) === true;
    return evaluateValue(ast.root, env) ?? void 0;
  }
  let next;
  const earliest2 = (instant) => {
    if (instant > currentNow && (next === void 0 || instant < next)) next = instant;
  };
  function evaluateWithNextChange(state, traits, now) {
    next = void 0;
    const value = answer(state, traits, now, earliest2);
    return { value, nextChangeAt: next };
  }
  return {
    ast,
    eventNames,
    traitKeys,
    monotone: isMonotone(ast, roots),
    // States are immutable, so every profile can start from one shared initial state.
    initialState: () => initial,
    observe(state, event, now) {
      const name2 = occurrenceName(event);
      if (name2 === void 0 || !eventNames.has(name2)) return state;
      const streams = streamsOf(state);
      let changed;
      for (const plan of roots) {
        const before = streams[plan.index];
        const after = observeStream(plan, before, event, now);
        if (after !== before) (changed ??= streams.slice())[plan.index] = after;
      }
      return changed === void 0 ? state : stateOf(changed);
    },
    prune(state, now) {
      const streams = streamsOf(state);
      let changed;
      for (const plan of roots) {
        const before = streams[plan.index];
        const after = pruneStream(plan, before, now);
        if (after !== before) (changed ??= streams.slice())[plan.index] = after;
      }
      return changed === void 0 ? state : stateOf(changed);
    },
    evaluate: (state, traits, now) => answer(state, traits, now, void 0),
    nextChangeAt: (state, traits, now) => evaluateWithNextChange(state, traits, now).nextChangeAt,
    evaluateWithNextChange,
    merge(winner, loser) {
      const a = streamsOf(winner);
      const b = streamsOf(loser);
      return stateOf(roots.map((plan) => mergeStreams(plan, a[plan.index], b[plan.index])));
    }
  };
}
function isMonotone(ast, roots) {
  if (ast.kind !== "audience" || ast.root.kind !== "comparison" || roots.length !== 1) return false;
  const { comparator, subject } = ast.root;
  const plan = roots[0];
  if (subject.kind !== "aggregate" || plan.reducer.kind !== "count" || plan.dynamicWhere.length > 0) return false;
  if (comparator.op !== "at_least" && comparator.op !== "greater_than") return false;
  return comparator.operand.kind === "literal" && typeof comparator.operand.value === "number";
}
function literalOperand(comparator) {
  if ("operand" in comparator) return comparator.operand.kind === "literal";
  if ("operands" in comparator) return comparator.operands.every((operand) => operand.kind === "literal");
  return true;
}
function literalOperands(comparator) {
  if ("operand" in comparator) return comparator.operand.kind === "literal" ? [comparator.operand.value] : [void 0];
  if ("operands" in comparator) return comparator.operands.map((operand) => operand.kind === "literal" ? operand.value : void 0);
  return [];
}
function streamsOf(state) {
  return state.streams;
}
function stateOf(streams) {
  return { version: 1, streams };
}

// src/compute/definition-set.ts
var EMPTY_DEFINITION_SET = { layout: 0, ordered: [], byId: /* @__PURE__ */ new Map(), byEvent: /* @__PURE__ */ new Map(), byTrait: /* @__PURE__ */ new Map() };
function orderDefinitions(definitions, traitKeysOf) {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const readers = /* @__PURE__ */ new Map();
  const pending = /* @__PURE__ */ new Map();
  for (const definition of definitions) {
    const deps = [...traitKeysOf(definition)].filter((key) => byKey.has(key));
    pending.set(definition, deps.length);
    for (const key of deps) readers.set(key, [...readers.get(key) ?? [], definition]);
  }
  const ready = definitions.filter((d) => pending.get(d) === 0);
  const ordered = [];
  while (ready.length > 0) {
    const next = ready.shift();
    ordered.push(next);
    for (const reader of readers.get(next.key) ?? []) {
      const left = (pending.get(reader) ?? 0) - 1;
      pending.set(reader, left);
      if (left === 0) ready.push(reader);
    }
  }
  if (ordered.length === definitions.length) return { ok: true, ordered };
  return { ok: false, cycle: { keys: definitions.filter((d) => (pending.get(d) ?? 0) > 0).map((d) => d.key).sort() } };
}
function compileDefinitionSet(definitions, layout = 0) {
  const evaluators = new Map(definitions.map((d) => [d, compileDefinition(d.ast)]));
  const order = orderDefinitions(definitions, (d) => evaluators.get(d).traitKeys);
  if (!order.ok) throw new Error(`definitions ${order.cycle.keys.join(", ")} form a cycle`);
  const ordered = order.ordered.map((d, rank) => ({ ...d, evaluator: evaluators.get(d), rank }));
  const byEvent = /* @__PURE__ */ new Map();
  const byTrait = /* @__PURE__ */ new Map();
  for (const compiled of ordered) {
    for (const name2 of compiled.evaluator.eventNames) byEvent.set(name2, [...byEvent.get(name2) ?? [], compiled]);
    for (const key of compiled.evaluator.traitKeys) byTrait.set(key, [...byTrait.get(key) ?? [], compiled]);
  }
  return { layout, ordered, byId: new Map(ordered.map((d) => [d.id, d])), byEvent, byTrait };
}

// src/actors/step-profile.ts
var NO_DEFINITIONS = { users: EMPTY_DEFINITION_SET, accounts: EMPTY_DEFINITION_SET };
function stepProfile(state, message, now, definitions = NO_DEFINITIONS) {
  switch (message.type) {
    case "profile.track":
      return track(state, message, now, definitions);
    case "profile.absorb":
      return withDefinitions(absorb(state, message, definitions), definitions, now, () => ({ all: true }));
    case "profile.unlink":
      return unlink(state, message.linkKey);
    case "profile.schedule":
      return schedule(state, message.key, message.dueAt);
    case "profile.backfill":
      return backfill(state, message, now, definitions);
    case "timer.fired": {
      const definitionId = definitionOfTimerKey(message.key);
      if (definitionId === void 0) return fire(state, message.key, message.dueAt, now);
      return fireDefinition(state, definitionId, message.key, message.dueAt, now, definitions);
    }
    default:
      return assertNever(message);
  }
}
function track(before, message, now, definitions) {
  const state = applyEvent(before, message);
  return withDefinitions({ state, effects: [], changed: true }, definitions, now, () => ({
    event: message.event,
    changedTraits: changedTraitValues(before, state),
    all: (before === void 0 || !isKnownProfile(before)) && isKnownProfile(state)
  }));
}
function changedTraitValues(before, state) {
  const changed = /* @__PURE__ */ new Set();
  if (before !== void 0 && before.traits === state.traits) return changed;
  for (const key of Object.keys(state.traits)) {
    const previous = before === void 0 ? void 0 : ownValue(before.traits, key);
    const current = state.traits[key];
    if (previous === current) continue;
    if (previous === void 0 || current === void 0 || !sameValue(previous.value, current.value)) changed.add(key);
  }
  return changed;
}
function withDefinitions(result, definitions, now, trigger) {
  if (result.state === void 0 || !result.changed) return result;
  const set = result.state.collection === "accounts" ? definitions.accounts : definitions.users;
  if (set.ordered.length === 0) return result;
  const computed = recomputeDefinitions(result.state, set, trigger(), now);
  const effects = computed.effects.length === 0 ? result.effects : result.effects.length === 0 ? computed.effects : [...result.effects, ...computed.effects];
  return { state: computed.state, effects, changed: true };
}
function applyEvent(existing, message) {
  const { event } = message;
  const origin = { messageId: event.messageId, sourceId: event.sourceId, receivedAt: event.receivedAt };
  const account = message.account;
  const state = existing ?? emptyProfile(message.profileId, message.spaceId, origin, event.timestamp, account === void 0 ? "users" : "accounts");
  const takesTraits = account === void 0 ? event.type === "identify" : event.type === "group";
  const traits = takesTraits && event.traits !== void 0 ? mergeTraits(state.traits, event.traits, event.timestamp, event.sourceId) : state.traits;
  const linkKey = account?.linkedUser ?? (event.type === "group" ? event.groupId : void 0);
  return {
    ...state,
    ...linkKey === void 0 || ownValue(state.links, linkKey) !== void 0 ? {} : { links: { ...state.links, [linkKey]: { sourceId: event.sourceId, createdAt: event.receivedAt, messageId: event.messageId } } },
    version: state.version + 1,
    traits,
    identifiers: addIdentifiers(state.identifiers, message.newIdentifiers),
    eventCounts: { ...state.eventCounts, [event.type]: (state.eventCounts[event.type] ?? 0) + 1 },
    firstSeenAt: Math.min(state.firstSeenAt, event.timestamp),
    lastSeenAt: Math.max(state.lastSeenAt, event.timestamp),
    last: origin
  };
}
function backfill(state, message, now, definitions) {
  if (state === void 0) return { state, effects: [], changed: false };
  const set = state.collection === "accounts" ? definitions.accounts : definitions.users;
  const definition = set.byId.get(message.definitionId);
  if (definition === void 0) return { state, effects: [], changed: false };
  const evaluated = () => ({ definitionIds: /* @__PURE__ */ new Set([definition.id]) });
  if (message.events === void 0) {
    return withDefinitions({ state: { ...state, version: state.version + 1 }, effects: [], changed: true }, definitions, now, evaluated);
  }
  const { evaluator } = definition;
  let rebuilt = evaluator.initialState();
  for (const event of message.events) rebuilt = evaluator.observe(rebuilt, event, now);
  const aligned = alignComputeStates(state.compute, set);
  const slots = aligned.slots.slice();
  slots[definition.rank] = { id: definition.id, revision: definition.revision, state: rebuilt };
  const compute = { layout: aligned.layout, slots };
  const result = { state: { ...state, version: state.version + 1, compute }, effects: [], changed: true };
  return withDefinitions(result, definitions, now, evaluated);
}
function absorb(state, message, definitions) {
  const loser = message.absorbed;
  if (loser === void 0) {
    if (state === void 0) return { state, effects: [], changed: false };
    return { state: { ...state, version: state.version + 1, mergedFrom: [...state.mergedFrom, message.loserId] }, effects: [], changed: true };
  }
  const { compute: _loserCompute, ...loserRecord } = loser;
  const winner = state ?? { ...loserRecord, id: message.profileId, version: 0, timers: {}, mergedFrom: [], eventCounts: {}, traits: {}, identifiers: [] };
  const { state: merged, effects: absorbEffects } = absorbProfile(winner, loser);
  const effects = [...absorbEffects, ...retireDefinitionTimers(loser.id, loser.compute)];
  const set = merged.collection === "accounts" ? definitions.accounts : definitions.users;
  const compute = mergeComputeStates(winner.compute, loser.compute, set);
  return { state: { ...merged, ...compute === void 0 ? {} : { compute } }, effects, changed: true };
}
function unlink(state, linkKey) {
  if (state?.links === void 0 || !Object.hasOwn(state.links, linkKey)) return { state, effects: [], changed: false };
  const links = { ...state.links };
  delete links[linkKey];
  return { state: { ...state, version: state.version + 1, links }, effects: [], changed: true };
}
function addIdentifiers(current, added) {
  if (added.length === 0) return current;
  const fresh = added.filter((a) => !current.some((c) => c.type === a.type && c.value === a.value));
  return fresh.length === 0 ? current : [...current, ...fresh];
}
function schedule(state, key, dueAt) {
  if (state === void 0) return { state, effects: [], changed: false };
  const previous = ownValue(state.timers, key);
  if (previous === dueAt) return { state, effects: [], changed: false };
  const effects = [];
  if (previous !== void 0) effects.push({ type: "timer.cleared", profileId: state.id, key, dueAt: previous });
  effects.push({ type: "timer.set", profileId: state.id, key, dueAt });
  return { state: { ...state, version: state.version + 1, timers: { ...state.timers, [key]: dueAt } }, effects, changed: true };
}
function fireDefinition(state, definitionId, key, dueAt, now, definitions) {
  if (state === void 0) return { state, effects: [], changed: false };
  const set = state.collection === "accounts" ? definitions.accounts : definitions.users;
  const definition = set.byId.get(definitionId);
  const aligned = alignComputeStates(state.compute, set);
  const entry = definition === void 0 ? void 0 : aligned.slots[definition.rank];
  if (definition === void 0 || entry?.due !== dueAt) return { state, effects: [], changed: false };
  const { due: _spent, ...rest } = entry;
  const slots = aligned.slots.slice();
  slots[definition.rank] = rest;
  const fired = {
    state: { ...state, version: state.version + 1, compute: { layout: aligned.layout, slots } },
    effects: [{ type: "timer.fired", profileId: state.id, key, dueAt, at: now }],
    changed: true
  };
  return withDefinitions(fired, definitions, now, () => ({ definitionIds: /* @__PURE__ */ new Set([definitionId]) }));
}
function fire(state, key, dueAt, now) {
  if (state === void 0 || ownValue(state.timers, key) !== dueAt) return { state, effects: [], changed: false };
  const timers = { ...state.timers };
  delete timers[key];
  return {
    state: { ...state, version: state.version + 1, timers },
    effects: [{ type: "timer.fired", profileId: state.id, key, dueAt, at: now }],
    changed: true
  };
}

// src/serve.ts
import { serve } from "@hono/node-server";
var CLOSE_GRACE_MS = 5e3;
async function serveEngine(engine, config) {
  const serverOptions = {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: Math.min(config.requestTimeoutMs, 6e4),
    keepAliveTimeout: 5e3,
    // Node checks the timeouts above only this often (30 s by default), so a short request
    // timeout would otherwise not be enforced for half a minute.
    connectionsCheckingInterval: Math.min(1e3, config.requestTimeoutMs)
  };
  const server = await new Promise((resolve3) => {
    const s = serve({ fetch: engine.app.fetch, hostname: config.host, port: config.port, serverOptions }, () => resolve3(s));
  });
  const { port } = server.address();
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    // Stops accepting, lets requests in flight finish (their events are being committed), then
    // cuts whatever is left after a grace period.
    close: () => new Promise((resolve3, reject) => {
      server.close((error) => error ? reject(error) : resolve3());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
    })
  };
}

// src/config/load-config.ts
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

// src/config/config-error.ts
var CONFIG_ERROR_CODE = "TROUPE_ERR_CONFIG";
var ConfigLoadError = class extends Error {
  code = CONFIG_ERROR_CODE;
  key;
  constructor(error, options) {
    super(error.message, options);
    this.name = "ConfigLoadError";
    this.key = error.key;
  }
};

// src/shared/result.ts
function ok(value) {
  return { ok: true, value };
}
function err(error) {
  return { ok: false, error };
}

// src/config/config-checks.ts
function keyPath(parent, key) {
  return `${parent}.${key}`;
}
function indexPath(parent, index) {
  return `${parent}[${index}]`;
}
function fail(key, message) {
  return err({ key, message: `${key} ${message}` });
}
function describe(value) {
  if (value === void 0) return "nothing (the key is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
function invalid(key, expectation, value) {
  return fail(key, `must be ${expectation}, got ${describe(value)}`);
}
function readObject(value, key) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid(key, "an object", value);
  return ok(value);
}
function rejectUnknownKeys(obj, known, key) {
  for (const name2 of Object.keys(obj)) {
    if (!known.includes(name2)) {
      return fail(keyPath(key, name2), `is not a known key (known keys at ${key}: ${known.join(", ")})`);
    }
  }
  return ok(obj);
}
function readNonEmptyString(value, key) {
  if (typeof value !== "string" || value === "") return invalid(key, "a non-empty string", value);
  return ok(value);
}
function readInteger(value, key, min, max) {
  if (!isIntegerIn(value, min, max)) return invalid(key, `an integer from ${min} to ${max}`, value);
  return ok(value);
}
function readPositiveInteger(value, key) {
  if (!isIntegerIn(value, 1, Number.MAX_SAFE_INTEGER)) return invalid(key, "a positive integer", value);
  return ok(value);
}
function isIntegerIn(value, min, max) {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;
}
function readBoolean(value, key) {
  if (typeof value !== "boolean") return invalid(key, "true or false", value);
  return ok(value);
}
function readEnum(value, key, allowed) {
  if (typeof value === "string" && allowed.includes(value)) return ok(value);
  const got = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : describe(value);
  return fail(key, `must be one of ${allowed.join(", ")}, got ${got}`);
}
function readArray(value, key) {
  if (!Array.isArray(value)) return invalid(key, "an array", value);
  return ok(value);
}
function readStringList(value, key) {
  const list = readArray(value, key);
  if (!list.ok) return list;
  const out = [];
  for (const [i, item] of list.value.entries()) {
    const s = readNonEmptyString(item, indexPath(key, i));
    if (!s.ok) return s;
    out.push(s.value);
  }
  return ok(out);
}

// src/config/env-overrides.ts
var ENV_OVERRIDES = {
  TROUPE_HOST: { key: "host", kind: "string" },
  TROUPE_PORT: { key: "port", kind: "integer" },
  TROUPE_DATA_DIR: { key: "dataDir", kind: "string" },
  TROUPE_SHARDS: { key: "shards", kind: "integer" },
  TROUPE_LOG_LEVEL: { key: "logLevel", kind: "string" },
  TROUPE_CLOCK: { key: "clock", kind: "string" }
};
var STRICT_INTEGER = /^[0-9]+$/;
function readEnvOverrides(env) {
  const values = {};
  const setBy = {};
  for (const name2 of Object.keys(ENV_OVERRIDES)) {
    const raw = env[name2];
    if (raw === void 0 || raw === "") continue;
    const { key, kind } = ENV_OVERRIDES[name2];
    if (kind === "integer") {
      const n = Number(raw);
      if (!STRICT_INTEGER.test(raw) || !Number.isSafeInteger(n)) {
        return fail(name2, `must be a non-negative integer, got ${JSON.stringify(raw.slice(0, 40))}`);
      }
      values[key] = n;
    } else {
      values[key] = raw;
    }
    setBy[key] = name2;
  }
  return ok({ values, setBy });
}

// src/config/merge-config.ts
function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function mergeConfig(base, override) {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out = {};
  for (const [key, value] of Object.entries(base)) define(out, key, value);
  for (const [key, value] of Object.entries(override)) define(out, key, Object.hasOwn(out, key) ? mergeConfig(out[key], value) : value);
  return out;
}
function define(target, key, value) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// src/config/config-schema.ts
var KNOWN_KEYS = {
  config: [
    "host",
    "port",
    "dataDir",
    "shards",
    "logLevel",
    "clock",
    "spaces",
    "requestTimeoutMs",
    "maxQueuedEventsPerShard",
    "actorCacheSize",
    "dedupWindowHours",
    "maxCustomIdentifierTypesPerSpace"
  ],
  space: [
    "id",
    "writeKeys",
    "accessTokens",
    "adminTokens",
    "notifyTransientFailures",
    "identity",
    "suppressedUserIds"
  ],
  writeKey: ["key", "sourceId", "name"],
  identity: ["identifiers", "blockedValues", "replaceDefaultBlockedValues"],
  identifierRule: ["type", "limit", "frequency", "priority"],
  blockedValue: ["regex"]
};
var LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
var CLOCK_KINDS = ["system", "manual"];
var IDENTIFIER_FREQUENCIES = ["weekly", "monthly", "annually", "ever"];
var SPACE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
var MAX_SHARDS = 64;
var MAX_PORT = 65535;
var MIN_DEDUP_WINDOW_HOURS = 24;
var MAX_DEDUP_WINDOW_HOURS = 87600;
var SPACE_DEFAULTS = {
  notifyTransientFailures: true,
  suppressedUserIds: [],
  identity: { identifiers: [], blockedValues: [], replaceDefaultBlockedValues: false }
};

// src/config/check-unique-credentials.ts
function checkUniqueCredentials(spaces, path) {
  const ids = /* @__PURE__ */ new Map();
  const seen = {
    writeKeys: /* @__PURE__ */ new Map(),
    accessTokens: /* @__PURE__ */ new Map(),
    adminTokens: /* @__PURE__ */ new Map()
  };
  const what = { writeKeys: "a write key", accessTokens: "an access token", adminTokens: "an admin token" };
  for (const [s, space2] of spaces.entries()) {
    const spacePath = indexPath(path, s);
    const idPath = keyPath(spacePath, "id");
    const firstId = ids.get(space2.id);
    if (firstId !== void 0) return fail(idPath, `repeats ${firstId}: space ids must be unique`);
    ids.set(space2.id, idPath);
    const values = {
      writeKeys: space2.writeKeys.map((source) => source.key),
      accessTokens: space2.accessTokens,
      adminTokens: space2.adminTokens
    };
    for (const kind of ["writeKeys", "accessTokens", "adminTokens"]) {
      for (const [i, value] of values[kind].entries()) {
        const valuePath = indexPath(keyPath(spacePath, kind), i);
        const first = seen[kind].get(value);
        if (first !== void 0) return fail(valuePath, `repeats ${first}: ${what[kind]} may appear only once across all spaces`);
        seen[kind].set(value, valuePath);
      }
    }
  }
  return ok(spaces);
}

// src/config/deep-freeze.ts
function deepFreeze(value) {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// src/config/source-id.ts
import { createHash } from "node:crypto";
function deriveSourceId(writeKey) {
  return `src_${createHash("sha256").update(writeKey, "utf8").digest("hex").slice(0, 12)}`;
}

// src/shared/errors.ts
var ERROR_CATALOGUE = {
  // Request-level (whole request refused, nothing stored).
  invalid_json: { status: 400, description: "The body is not valid JSON." },
  invalid_body: { status: 400, description: "The body is JSON but not an object of the expected shape." },
  invalid_encoding: { status: 400, description: "The Content-Encoding is unsupported or the gzip stream is corrupt." },
  request_too_large: { status: 400, description: "The request body exceeds its limit: 512,000 bytes on the Tracking API, 65,536 on admin and management routes." },
  request_aborted: { status: 400, description: "The client closed the connection before its request body arrived (logged at debug, counted in /metrics)." },
  batch_empty: { status: 400, description: "A batch with no items." },
  batch_too_large: { status: 400, description: "A batch with more than 2,500 items." },
  all_items_rejected: { status: 400, description: "Every item of a batch was rejected." },
  unauthorized: { status: 401, description: "Missing or unknown write key, access token or admin token." },
  authentication_error: { status: 401, description: "Profile API: missing or wrong access token." },
  not_found: { status: 404, description: "The resource does not exist (or belongs to another space)." },
  overloaded: { status: 429, description: "The engine cannot keep up; retry after Retry-After seconds." },
  request_timeout: { status: 408, description: "The request body did not arrive in time." },
  invalid_request_error: { status: 400, description: "A query parameter or path segment is invalid." },
  clock_not_manual: { status: 400, description: 'The clock can only be set when config.clock is "manual".' },
  clock_backwards: { status: 400, description: "The manual clock cannot move backwards." },
  internal_error: { status: 500, description: "An unexpected failure; it is logged." },
  unavailable: { status: 503, description: "The engine is starting or stopping." },
  // Item-level (one event of a batch refused, the others kept).
  event_too_large: { status: 400, description: "The event exceeds 32,768 bytes of JSON, counting the batch `context`/`integrations` merged into it." },
  invalid_event: { status: 400, description: "The event is not a JSON object." },
  invalid_type: { status: 400, description: "The event type is missing or not one of identify, track, page, screen, group, alias." },
  missing_event_name: { status: 400, description: "A track call without `event`." },
  missing_group_id: { status: 400, description: "A group call without `groupId`." },
  missing_previous_id: { status: 400, description: "An alias call without `previousId`." },
  no_user_anon_id: { status: 400, description: "Neither `userId` nor `anonymousId` is present." },
  invalid_field: { status: 400, description: "A field has the wrong type (an id that is not a string, a non-object `traits`, ...), or a number anywhere in the event is out of range (`1e400`)." },
  invalid_unicode: { status: 400, description: "A string or key holds an unpaired UTF-16 surrogate, which is not valid Unicode and cannot be stored exactly." },
  id_too_long: { status: 400, description: "An identifier is longer than 1,536 UTF-8 bytes (the storage key limit), or groupId over 500 characters." },
  message_id_too_long: { status: 400, description: "`messageId` is longer than 100 characters." },
  too_many_traits: { status: 400, description: "An identify call with 300 or more traits." },
  nesting_too_deep: { status: 400, description: "The event nests deeper than 32 levels." },
  forbidden_key: { status: 400, description: "A key `__proto__`, `constructor` or `prototype` appears in the event." },
  invalid_timestamp: { status: 400, description: "A timestamp is not an ISO-8601 date, is before 1970, or (after clock-skew correction) is more than a year after the event was received." },
  no_matching_identifiers: { status: 400, description: "After blocked values, the event carries no identifier." },
  suppressed: { status: 400, description: "The userId is suppressed in this space." },
  // Management API (audiences, computed traits).
  invalid_definition: { status: 400, description: "The definition does not parse or type-check; the message names the line and column." },
  definition_cycle: { status: 400, description: "The definition would create a cycle by referencing another audience or computed trait." },
  unsupported_definition: { status: 400, description: "The definition uses something this engine does not evaluate yet (account ANY/ALL)." },
  key_in_use: { status: 409, description: "The audience or computed-trait key is in use, or was used by a deleted one (keys are never reused)." },
  key_immutable: { status: 400, description: "A key cannot be changed after creation." }
};
var AppError = class extends Error {
  code;
  status;
  constructor(code, message, options) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
  }
  toData() {
    return { code: this.code, message: this.message };
  }
};
function ensureError(value) {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : JSON.stringify(value));
}

// src/config/validate-identity.ts
function validateIdentity(raw, path) {
  if (raw === void 0) return ok(SPACE_DEFAULTS.identity);
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.identity, path);
  if (!known.ok) return known;
  const identifiers = validateIdentifierRules(obj.value["identifiers"], keyPath(path, "identifiers"));
  if (!identifiers.ok) return identifiers;
  const blockedValues = validateBlockedValues(obj.value["blockedValues"], keyPath(path, "blockedValues"));
  if (!blockedValues.ok) return blockedValues;
  const replaceRaw = obj.value["replaceDefaultBlockedValues"];
  const replace = replaceRaw === void 0 ? ok(SPACE_DEFAULTS.identity.replaceDefaultBlockedValues) : readBoolean(replaceRaw, keyPath(path, "replaceDefaultBlockedValues"));
  if (!replace.ok) return replace;
  return ok({ identifiers: identifiers.value, blockedValues: blockedValues.value, replaceDefaultBlockedValues: replace.value });
}
function validateIdentifierRules(raw, path) {
  if (raw === void 0) return ok(SPACE_DEFAULTS.identity.identifiers);
  const list = readArray(raw, path);
  if (!list.ok) return list;
  const rules = [];
  const firstPathOfType = /* @__PURE__ */ new Map();
  for (const [i, item] of list.value.entries()) {
    const rule = validateIdentifierRule(item, indexPath(path, i));
    if (!rule.ok) return rule;
    const typePath = keyPath(indexPath(path, i), "type");
    const first = firstPathOfType.get(rule.value.type);
    if (first !== void 0) return fail(typePath, `repeats ${first}: each identifier type may be listed once`);
    firstPathOfType.set(rule.value.type, typePath);
    rules.push(rule.value);
  }
  return ok(rules);
}
function validateIdentifierRule(raw, path) {
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.identifierRule, path);
  if (!known.ok) return known;
  const type = readNonEmptyString(obj.value["type"], keyPath(path, "type"));
  if (!type.ok) return type;
  const limit = readPositiveInteger(obj.value["limit"], keyPath(path, "limit"));
  if (!limit.ok) return limit;
  const priority = readPositiveInteger(obj.value["priority"], keyPath(path, "priority"));
  if (!priority.ok) return priority;
  const frequencyRaw = obj.value["frequency"];
  if (frequencyRaw === void 0) return ok({ type: type.value, limit: limit.value, priority: priority.value });
  const frequency = readEnum(frequencyRaw, keyPath(path, "frequency"), IDENTIFIER_FREQUENCIES);
  if (!frequency.ok) return frequency;
  return ok({ type: type.value, limit: limit.value, frequency: frequency.value, priority: priority.value });
}
function validateBlockedValues(raw, path) {
  if (raw === void 0) return ok(SPACE_DEFAULTS.identity.blockedValues);
  const list = readArray(raw, path);
  if (!list.ok) return list;
  const values = [];
  for (const [i, item] of list.value.entries()) {
    const value = validateBlockedValue(item, indexPath(path, i));
    if (!value.ok) return value;
    values.push(value.value);
  }
  return ok(values);
}
function validateBlockedValue(raw, path) {
  if (typeof raw === "string") return readNonEmptyString(raw, path);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return invalid(path, 'a non-empty string or an object { "regex": "..." }', raw);
  }
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.blockedValue, path);
  if (!known.ok) return known;
  const regexPath = keyPath(path, "regex");
  const source = readNonEmptyString(obj.value["regex"], regexPath);
  if (!source.ok) return source;
  try {
    new RegExp(source.value);
  } catch (e) {
    return fail(regexPath, `must be a valid regular expression: ${ensureError(e).message}`);
  }
  return ok({ regex: source.value });
}

// src/shared/ids.ts
function asProfileId(raw) {
  return raw;
}
function asSpaceId(raw) {
  return raw;
}

// src/shared/text-size.ts
function exceedsUtf8Bytes(text, maxBytes) {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return Buffer.byteLength(text, "utf8") > maxBytes;
}
function exceedsChars(text, maxChars) {
  if (text.length <= maxChars) return false;
  let count = 0;
  for (const _ of text) {
    count += 1;
    if (count > maxChars) return true;
  }
  return false;
}

// src/shared/well-formed.ts
function isWellFormed(text) {
  return text.isWellFormed();
}
var LONE_SURROGATE_PROBLEM = "holds an unpaired UTF-16 surrogate (not valid Unicode; it cannot be stored exactly)";

// src/shared/key-bounds.ts
var LMDB_MAX_KEY_BYTES = 1978;
var MAX_SPACE_ID_BYTES = 64;
var MAX_ID_TYPE_UNITS = 100;
var KEY_ENCODING_OVERHEAD_BYTES = 16;
var MAX_ID_BYTES = Math.floor((LMDB_MAX_KEY_BYTES - MAX_SPACE_ID_BYTES - MAX_ID_TYPE_UNITS * 3 - KEY_ENCODING_OVERHEAD_BYTES) / 512) * 512;
var MAX_PROFILE_ID_UNITS = 64;
function identifierValueError(value, field) {
  if (!isWellFormed(value)) return { code: "invalid_unicode", message: `${field} ${LONE_SURROGATE_PROBLEM}` };
  if (exceedsUtf8Bytes(value, MAX_ID_BYTES)) return { code: "id_too_long", message: `${field} is longer than ${MAX_ID_BYTES} UTF-8 bytes` };
  return void 0;
}
function isStorableIdentifier(type, value) {
  return type.length <= MAX_ID_TYPE_UNITS && !exceedsUtf8Bytes(value, MAX_ID_BYTES);
}

// src/config/validate-space.ts
function validateSpace(raw, path) {
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.space, path);
  if (!known.ok) return known;
  const o = obj.value;
  const idPath = keyPath(path, "id");
  const id = readNonEmptyString(o["id"], idPath);
  if (!id.ok) return id;
  if (!SPACE_ID_PATTERN.test(id.value)) {
    return fail(idPath, `must match ${String(SPACE_ID_PATTERN)} (letters, digits, _ and -, at most 64), got ${JSON.stringify(id.value.slice(0, 80))}`);
  }
  const writeKeys = validateWriteKeys(o["writeKeys"], keyPath(path, "writeKeys"));
  if (!writeKeys.ok) return writeKeys;
  const accessTokens = readStringList(o["accessTokens"], keyPath(path, "accessTokens"));
  if (!accessTokens.ok) return accessTokens;
  const adminTokens = readStringList(o["adminTokens"], keyPath(path, "adminTokens"));
  if (!adminTokens.ok) return adminTokens;
  const notifyRaw = o["notifyTransientFailures"];
  const notify = notifyRaw === void 0 ? ok(SPACE_DEFAULTS.notifyTransientFailures) : readBoolean(notifyRaw, keyPath(path, "notifyTransientFailures"));
  if (!notify.ok) return notify;
  const identity = validateIdentity(o["identity"], keyPath(path, "identity"));
  if (!identity.ok) return identity;
  const suppressedRaw = o["suppressedUserIds"];
  const suppressed = suppressedRaw === void 0 ? ok(SPACE_DEFAULTS.suppressedUserIds) : readStringList(suppressedRaw, keyPath(path, "suppressedUserIds"));
  if (!suppressed.ok) return suppressed;
  for (const [i, userId] of suppressed.value.entries()) {
    const userIdPath = indexPath(keyPath(path, "suppressedUserIds"), i);
    const refusal = identifierValueError(userId, userIdPath);
    if (refusal !== void 0) return err({ key: userIdPath, message: refusal.message });
  }
  return ok({
    id: asSpaceId(id.value),
    writeKeys: writeKeys.value,
    accessTokens: accessTokens.value,
    adminTokens: adminTokens.value,
    notifyTransientFailures: notify.value,
    identity: identity.value,
    suppressedUserIds: suppressed.value
  });
}
function validateWriteKeys(raw, path) {
  const list = readArray(raw, path);
  if (!list.ok) return list;
  if (list.value.length === 0) return fail(path, "must list at least one write key");
  const sources = [];
  for (const [i, item] of list.value.entries()) {
    const source = validateWriteKey(item, indexPath(path, i));
    if (!source.ok) return source;
    sources.push(source.value);
  }
  return ok(sources);
}
function validateWriteKey(raw, path) {
  if (typeof raw === "string") {
    const key2 = readNonEmptyString(raw, path);
    if (!key2.ok) return key2;
    const sourceId2 = deriveSourceId(key2.value);
    return ok({ key: key2.value, sourceId: sourceId2, name: sourceId2 });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return invalid(path, 'a non-empty string or an object { "key", "sourceId", "name"? }', raw);
  }
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.writeKey, path);
  if (!known.ok) return known;
  const key = readNonEmptyString(obj.value["key"], keyPath(path, "key"));
  if (!key.ok) return key;
  const sourceId = readNonEmptyString(obj.value["sourceId"], keyPath(path, "sourceId"));
  if (!sourceId.ok) return sourceId;
  const nameRaw = obj.value["name"];
  const name2 = nameRaw === void 0 ? ok(sourceId.value) : readNonEmptyString(nameRaw, keyPath(path, "name"));
  if (!name2.ok) return name2;
  return ok({ key: key.value, sourceId: sourceId.value, name: name2.value });
}

// src/config/validate-config.ts
var ROOT = "config";
function validateConfig(raw) {
  const obj = readObject(raw, ROOT);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.config, ROOT);
  if (!known.ok) return known;
  const o = obj.value;
  const at = (key) => keyPath(ROOT, key);
  const host = readNonEmptyString(o["host"], at("host"));
  if (!host.ok) return host;
  const port = readInteger(o["port"], at("port"), 0, MAX_PORT);
  if (!port.ok) return port;
  const dataDir = readNonEmptyString(o["dataDir"], at("dataDir"));
  if (!dataDir.ok) return dataDir;
  const shards = readInteger(o["shards"], at("shards"), 1, MAX_SHARDS);
  if (!shards.ok) return shards;
  const logLevel = readEnum(o["logLevel"], at("logLevel"), LOG_LEVELS);
  if (!logLevel.ok) return logLevel;
  const clock = readEnum(o["clock"], at("clock"), CLOCK_KINDS);
  if (!clock.ok) return clock;
  const requestTimeoutMs = readPositiveInteger(o["requestTimeoutMs"], at("requestTimeoutMs"));
  if (!requestTimeoutMs.ok) return requestTimeoutMs;
  const maxQueued = readPositiveInteger(o["maxQueuedEventsPerShard"], at("maxQueuedEventsPerShard"));
  if (!maxQueued.ok) return maxQueued;
  const actorCacheSize = readPositiveInteger(o["actorCacheSize"], at("actorCacheSize"));
  if (!actorCacheSize.ok) return actorCacheSize;
  const dedupWindowHours = readDedupWindow(o["dedupWindowHours"], at("dedupWindowHours"));
  if (!dedupWindowHours.ok) return dedupWindowHours;
  const maxCustomTypes = readInteger(o["maxCustomIdentifierTypesPerSpace"], at("maxCustomIdentifierTypesPerSpace"), 0, 1e4);
  if (!maxCustomTypes.ok) return maxCustomTypes;
  const spaces = validateSpaces(o["spaces"], at("spaces"));
  if (!spaces.ok) return spaces;
  return ok(
    deepFreeze({
      host: host.value,
      port: port.value,
      dataDir: dataDir.value,
      shards: shards.value,
      logLevel: logLevel.value,
      clock: clock.value,
      spaces: spaces.value,
      requestTimeoutMs: requestTimeoutMs.value,
      maxQueuedEventsPerShard: maxQueued.value,
      actorCacheSize: actorCacheSize.value,
      dedupWindowHours: dedupWindowHours.value,
      maxCustomIdentifierTypesPerSpace: maxCustomTypes.value
    })
  );
}
function readDedupWindow(value, key) {
  if (typeof value === "number" && Number.isSafeInteger(value) && value < MIN_DEDUP_WINDOW_HOURS) {
    return fail(key, `must be at least ${MIN_DEDUP_WINDOW_HOURS} (hours): a replayed messageId is ignored for at least 24 hours, got number ${value}`);
  }
  return readInteger(value, key, MIN_DEDUP_WINDOW_HOURS, MAX_DEDUP_WINDOW_HOURS);
}
function validateSpaces(raw, path) {
  const list = readArray(raw, path);
  if (!list.ok) return list;
  if (list.value.length === 0) return fail(path, "must list at least one space");
  const spaces = [];
  for (const [i, item] of list.value.entries()) {
    const space2 = validateSpace(item, indexPath(path, i));
    if (!space2.ok) return space2;
    spaces.push(space2.value);
  }
  return checkUniqueCredentials(spaces, path);
}

// src/config/development-keys.ts
import { BlockList, isIP } from "node:net";
var LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

// src/config/load-config.ts
var DEFAULT_CONFIG_PATH = fileURLToPath(new URL("../../config/default.json", import.meta.url));
function loadConfig(options = {}) {
  const env = options.env ?? process.env;
  const layers = [readJsonObject(options.defaultsPath ?? DEFAULT_CONFIG_PATH, "config defaults file")];
  const configFile = env["TROUPE_CONFIG"];
  if (configFile !== void 0 && configFile !== "") {
    layers.push(readJsonObject(resolve(configFile), "TROUPE_CONFIG file"));
  }
  const overrides = readEnvOverrides(env);
  if (!overrides.ok) throw new ConfigLoadError(overrides.error);
  const merged = [...layers.map((layer) => layer.raw), overrides.value.values].reduce(mergeConfig, {});
  const result = validateConfig(merged);
  if (!result.ok) throw new ConfigLoadError(attribute(result.error, layers, overrides.value));
  return result.value;
}
function readJsonObject(path, label2) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigLoadError({ key: path, message: `${label2} ${path} cannot be read: ${ensureError(e).message}` }, { cause: e });
  }
  let raw;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new ConfigLoadError({ key: path, message: `${label2} ${path} is not valid JSON: ${ensureError(e).message}` }, { cause: e });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigLoadError({ key: path, message: `${label2} ${path} must contain a JSON object` });
  }
  return { path, raw };
}
function attribute(error, layers, overrides) {
  const top = /^config\.([^.[]+)/.exec(error.key)?.[1];
  if (top === void 0) return error;
  const variable = Object.hasOwn(overrides.setBy, top) ? overrides.setBy[top] : void 0;
  if (variable !== void 0) return { key: variable, message: `${error.message} (set by ${variable})` };
  const layer = [...layers].reverse().find((l) => Object.hasOwn(l.raw, top));
  return layer === void 0 ? error : { key: error.key, message: `${error.message} (in ${layer.path})` };
}

// src/identity/blocked-values.ts
var IGNORE_CASE_WORDS = [
  "anonymous",
  "guest",
  "distinctid",
  "distinct_id",
  "id",
  "not_authenticated",
  "email",
  "undefined",
  "true",
  "false"
];
var CASE_SENSITIVE_WORDS = ["[object Object]", "NaN", "None", "none", "null", "nil", "0", "undefined"];
function withQuotes(words) {
  return words.flatMap((w) => [w, `'${w}'`, `"${w}"`]);
}
var DEFAULT_EXACT = ["-1", ...withQuotes(CASE_SENSITIVE_WORDS)];
var DEFAULT_IGNORE_CASE = withQuotes(IGNORE_CASE_WORDS);
var DEFAULT_PATTERNS = ["^[0-]*$", "^\\s*$"];
function compileBlockedValues(configured, replaceDefaults) {
  const exact = new Set(replaceDefaults ? [] : DEFAULT_EXACT);
  const exactIgnoreCase = new Set(replaceDefaults ? [] : DEFAULT_IGNORE_CASE);
  const patterns = /* @__PURE__ */ new Map();
  if (!replaceDefaults) for (const source of DEFAULT_PATTERNS) patterns.set(source, new RegExp(source));
  configured.forEach((entry, i) => {
    if (typeof entry === "string") {
      exact.add(entry);
      return;
    }
    if (patterns.has(entry.regex)) return;
    try {
      patterns.set(entry.regex, new RegExp(entry.regex));
    } catch {
      throw new Error(`identity.blockedValues[${i}].regex must be a valid regular expression`);
    }
  });
  let ignoreCaseMaxLength = 0;
  for (const word of exactIgnoreCase) ignoreCaseMaxLength = Math.max(ignoreCaseMaxLength, word.length);
  return Object.freeze({ exact, exactIgnoreCase, ignoreCaseMaxLength, patterns: Object.freeze([...patterns.values()]) });
}
function isBlockedValue(blocked, value) {
  if (blocked.exact.has(value)) return true;
  if (value.length <= blocked.ignoreCaseMaxLength && blocked.exactIgnoreCase.has(value.toLowerCase())) return true;
  for (const pattern of blocked.patterns) if (pattern.test(value)) return true;
  return false;
}

// src/identity/settings.ts
var DEFAULT_MAX_CUSTOM_TYPES = 50;
var DEFAULT_IDENTIFIER_TYPES = [
  "user_id",
  "email",
  "android.id",
  "android.idfa",
  "android.push_token",
  "anonymous_id",
  "ga_client_id",
  "group_id",
  "ios.id",
  "ios.idfa",
  "ios.push_token"
];
var DEFAULT_LIMIT = 5;
var USER_ID_LIMIT = 1;
var MAX_MERGES = 100;
var MAX_IDENTIFIERS = 1e3;
var FIRST_TAIL_PRIORITY = 3;
function defaultSpec(type) {
  if (type === "user_id") return { type, limit: USER_ID_LIMIT, frequency: void 0, priority: 1 };
  if (type === "email") return { type, limit: DEFAULT_LIMIT, frequency: void 0, priority: 2 };
  return { type, limit: DEFAULT_LIMIT, frequency: void 0, priority: void 0 };
}
function identitySettingsFrom(config, maxCustomTypes = DEFAULT_MAX_CUSTOM_TYPES) {
  const specs = /* @__PURE__ */ new Map();
  for (const type of DEFAULT_IDENTIFIER_TYPES) specs.set(type, defaultSpec(type));
  for (const rule of config?.identifiers ?? []) {
    const type = rule.type.toLowerCase();
    specs.set(type, { type, limit: rule.limit, frequency: rule.frequency, priority: rule.priority });
  }
  const blocked = compileBlockedValues(config?.blockedValues ?? [], config?.replaceDefaultBlockedValues ?? false);
  return build(specs.values(), blocked, { maxMerges: MAX_MERGES, maxIdentifiers: MAX_IDENTIFIERS, customTypes: 0, maxCustomTypes });
}
function withCustomType(settings, type) {
  if (settings.rules.has(type)) return settings;
  const specs = settings.order.map((rule) => ({
    type: rule.type,
    limit: rule.limit,
    frequency: rule.frequency,
    priority: rule.fixedPriority ? rule.priority : void 0
  }));
  specs.push({ type, limit: DEFAULT_LIMIT, frequency: void 0, priority: void 0 });
  const { maxMerges, maxIdentifiers, maxCustomTypes } = settings;
  return build(specs, settings.blocked, { maxMerges, maxIdentifiers, customTypes: settings.customTypes + 1, maxCustomTypes });
}
function customTypesFull(settings) {
  return settings.customTypes >= settings.maxCustomTypes;
}
function ruleOf(settings, type) {
  return settings.rules.get(type) ?? unknownRule(settings, type);
}
function unknownRule(settings, type) {
  return { type, limit: DEFAULT_LIMIT, frequency: void 0, priority: Number.MAX_SAFE_INTEGER, rank: settings.order.length, fixedPriority: false };
}
function build(specs, blocked, caps) {
  const all = [...specs];
  const tail = all.filter((s) => s.priority === void 0).sort((a, b) => compareText(a.type, b.type));
  const tailPriority = new Map(tail.map((s, i) => [s.type, FIRST_TAIL_PRIORITY + i]));
  const numbered = all.map((s) => ({
    spec: s,
    priority: s.priority ?? tailPriority.get(s.type) ?? FIRST_TAIL_PRIORITY,
    fixed: s.priority !== void 0
  }));
  numbered.sort((a, b) => a.priority - b.priority || Number(b.fixed) - Number(a.fixed) || compareText(a.spec.type, b.spec.type));
  const order = numbered.map(
    ({ spec, priority, fixed }, rank) => Object.freeze({ type: spec.type, limit: spec.limit, frequency: spec.frequency, priority, rank, fixedPriority: fixed })
  );
  const rules = new Map(order.map((rule) => [rule.type, rule]));
  return Object.freeze({ rules, order: Object.freeze(order), blocked, ...caps });
}
function compareText(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/identity/extract-identifiers.ts
var GOOGLE_ANALYTICS = "Google Analytics";
function extractIdentifiers(event, settings) {
  const draft = { settings, found: [], blocked: [], newTypes: [], overTypeLimit: [], error: void 0 };
  const context = event.context;
  offer(draft, "user_id", event.userId, "userId");
  if (event.type !== "group") offer(draft, "email", event.traits?.["email"], "traits.email");
  offer(draft, "email", objectAt(context, "traits")?.["email"], "context.traits.email");
  readDevice(draft, objectAt(context, "device"));
  offer(draft, "anonymous_id", event.anonymousId, "anonymousId");
  const gaField = `['${GOOGLE_ANALYTICS}'].clientId`;
  offer(draft, "ga_client_id", objectAt(objectAt(context, "integrations"), GOOGLE_ANALYTICS)?.["clientId"], `context.integrations${gaField}`);
  offer(draft, "ga_client_id", objectAt(event.integrations, GOOGLE_ANALYTICS)?.["clientId"], `integrations${gaField}`);
  offer(draft, "group_id", event.groupId, "groupId");
  readExternalIds(draft, context?.["externalIds"]);
  const identifiers = sortByPriority(draft.found, draft.settings);
  const base = { identifiers, blocked: draft.blocked, newTypes: draft.newTypes, overTypeLimit: draft.overTypeLimit, settings: draft.settings };
  return draft.error === void 0 ? base : { ...base, error: draft.error };
}
function readDevice(draft, device) {
  if (device === void 0) return;
  const kind = device["type"];
  if (typeof kind !== "string") return;
  const platform = kind.toLowerCase();
  if (platform !== "android" && platform !== "ios") return;
  offer(draft, `${platform}.id`, device["id"], "context.device.id");
  if (device["adTrackingEnabled"] === true) offer(draft, `${platform}.idfa`, device["advertisingId"], "context.device.advertisingId");
  offer(draft, `${platform}.push_token`, device["token"], "context.device.token");
}
function readExternalIds(draft, raw) {
  if (!Array.isArray(raw)) return;
  raw.forEach((entry, i) => {
    if (!isJsonObject(entry)) return;
    const rawType = entry["type"];
    if (typeof rawType !== "string") return;
    const type = rawType.toLowerCase();
    if (type.length === 0 || type.length > MAX_ID_TYPE_UNITS || type.includes(":")) return;
    const id = entry["id"];
    const value = typeof id === "string" ? id : typeof id === "number" && Number.isFinite(id) ? String(id) : void 0;
    if (value === void 0) return;
    if (!draft.settings.rules.has(type) && customTypesFull(draft.settings)) {
      if (identifierValueError(value, `context.externalIds[${i}].id`) !== void 0) return;
      if (isBlockedValue(draft.settings.blocked, value)) pushUnique(draft.blocked, type, value);
      else pushUnique(draft.overTypeLimit, type, value);
      return;
    }
    if (offer(draft, type, value, `context.externalIds[${i}].id`) && !draft.settings.rules.has(type)) {
      draft.settings = withCustomType(draft.settings, type);
      draft.newTypes.push(type);
    }
  });
}
function offer(draft, type, value, field) {
  if (typeof value !== "string") return false;
  const refusal = identifierValueError(value, field);
  if (refusal !== void 0) {
    draft.error ??= refusal;
    return false;
  }
  if (isBlockedValue(draft.settings.blocked, value)) {
    pushUnique(draft.blocked, type, value);
    return false;
  }
  pushUnique(draft.found, type, value);
  return true;
}
function pushUnique(list, type, value) {
  for (const id of list) if (id.type === type && id.value === value) return;
  list.push({ type, value });
}
function sortByPriority(ids, settings) {
  return ids.sort((a, b) => ruleOf(settings, a.type).rank - ruleOf(settings, b.type).rank);
}
function objectAt(obj, key) {
  const value = obj?.[key];
  return isJsonObject(value) ? value : void 0;
}

// src/identity/time-frame.ts
var DAY_MS = 24 * 60 * 60 * 1e3;
var FRAME_MS = {
  weekly: 7 * DAY_MS,
  monthly: 30 * DAY_MS,
  annually: 365 * DAY_MS,
  ever: Number.POSITIVE_INFINITY
};
function frameMs(frequency) {
  return frequency === void 0 ? Number.POSITIVE_INFINITY : FRAME_MS[frequency];
}
function isTimeFramed(frequency) {
  return frequency !== void 0 && frequency !== "ever";
}
function countsInFrame(addedAt, at, frame) {
  return frame === Number.POSITIVE_INFINITY || addedAt > at - frame;
}

// src/identity/identifier-limits.ts
function findLimitBreach(profiles, newIds, settings, at) {
  const totals = /* @__PURE__ */ new Map();
  for (const id of newIds) totals.set(id.type, (totals.get(id.type) ?? 0) + 1);
  const relevant = profiles.length >= 2 ? void 0 : totals;
  const maxOfOne = /* @__PURE__ */ new Map();
  for (const profile of profiles) {
    const counts = countInFrame(profile, settings, at, relevant);
    for (const [type, n] of counts) {
      totals.set(type, (totals.get(type) ?? 0) + n);
      if (n > (maxOfOne.get(type) ?? 0)) maxOfOne.set(type, n);
    }
  }
  let breach;
  for (const [type, count] of totals) {
    const rule = ruleOf(settings, type);
    if (count <= rule.limit || count <= (maxOfOne.get(type) ?? 0)) continue;
    if (breach === void 0 || rule.rank < breach.rule.rank) breach = { rule, count };
  }
  return breach;
}
function countInFrame(profile, settings, at, only) {
  const counts = /* @__PURE__ */ new Map();
  for (const record of profile.identifiers) {
    if (only !== void 0 && !only.has(record.type)) continue;
    if (!countsInFrame(record.addedAt, at, frameMs(ruleOf(settings, record.type).frequency))) continue;
    counts.set(record.type, (counts.get(record.type) ?? 0) + 1);
  }
  return counts;
}

// src/identity/violations.ts
function blockedViolation(id) {
  return { type: "ID value blocked", identifier: id, message: `${label(id)} is a blocked value and was not used as an identifier` };
}
function noMatchingIdentifiers() {
  return { type: "No matching identifiers on event", message: "The event carries no identifier once blocked values are removed" };
}
function limitViolation(breach, id, profileId, outcome = "demoted") {
  const { rule, count } = breach;
  const timed = isTimeFramed(rule.frequency);
  const frame = timed ? ` ${String(rule.frequency)}` : "";
  const where = profileId === void 0 ? "the new profile" : `profile ${profileId}`;
  const what = outcome === "demoted" ? "was demoted" : "was kept, as the event's last identifier";
  return {
    type: timed ? "Identifier value time limit exceeded" : "Identifier value limit exceeded",
    identifier: id,
    ...profileId === void 0 ? {} : { profileId },
    message: `${label(id)} ${what}: ${where} would hold ${count} ${rule.type} values, over the limit of ${rule.limit}${frame}`
  };
}
function mergeLimitViolation(winner, merges, max) {
  return {
    type: "Profile merge limit exceeded",
    profileId: winner,
    message: `Merging would bring profile ${winner} to ${merges} merges, over the limit of ${max}; the profiles were not merged`
  };
}
function mappingLimitViolation(profileId, max, id) {
  return {
    type: "Identifier mapping limit exceeded",
    profileId,
    identifier: id,
    message: `Profile ${profileId} would hold more than ${max} identifiers; ${label(id)} was not added`
  };
}
function mergeMappingLimitViolation(winner, held, max) {
  return {
    type: "Identifier mapping limit exceeded",
    profileId: winner,
    message: `Merging would bring profile ${winner} to ${held} identifiers, over the limit of ${max}; the profiles were not merged`
  };
}
function typeLimitViolation(id, max) {
  return {
    type: "Identifier type limit exceeded",
    identifier: id,
    message: `${label(id)} was ignored: the space has learned ${max} custom identifier types from context.externalIds, the most maxCustomIdentifierTypesPerSpace allows, and ${JSON.stringify(id.type)} is not one of them`
  };
}
function label(id) {
  return `${id.type}:${id.value}`;
}

// src/identity/resolve-identity.ts
var NONE = Object.freeze([]);
function resolveIdentity(input, graph, settings, newProfileId2) {
  const blocked = input.blocked !== void 0 && input.blocked.length > 0 ? input.blocked.map(blockedViolation) : NONE;
  if (input.identifiers.length === 0) return { kind: "unresolved", violations: [...blocked, noMatchingIdentifiers()] };
  const owner = soleOwner(input.identifiers, graph);
  if (owner !== void 0) {
    return { kind: "resolved", profileId: owner, created: false, at: input.at, addIdentifiers: NONE, merges: NONE, violations: blocked };
  }
  return resolveChanges(input, graph, settings, newProfileId2, [...blocked]);
}
function soleOwner(ids, graph) {
  let owner;
  for (const id of ids) {
    const profileId = graph.profileOf(id);
    if (profileId === void 0 || owner !== void 0 && profileId !== owner) return void 0;
    owner = profileId;
  }
  return owner;
}
function resolveChanges(input, graph, settings, newProfileId2, violations) {
  const active = prioritised(input.identifiers, settings);
  const owners = active.map((id) => graph.profileOf(id));
  const load = profileLoader(graph);
  let matched = matchedProfiles(owners, load);
  if (matched.length >= 2 && input.eventType === "alias") return joinWithoutMerge(matched[0], active, owners, input, settings, violations);
  for (; ; ) {
    const breach = findLimitBreach(matched, unheld(active, owners), settings, input.at);
    if (breach === void 0) break;
    if (active.length === 1) {
      violations.push(limitViolation(breach, active[0], void 0, "kept"));
      break;
    }
    const demoted = active.pop();
    owners.pop();
    violations.push(limitViolation(breach, demoted, firstCreated(matched)?.id));
    matched = matchedProfiles(owners, load);
  }
  const fresh = unheld(active, owners);
  const winner = firstCreated(matched);
  if (winner === void 0) {
    const profileId = newProfileId2();
    const adds = withinMappingLimit(fresh, 0, profileId, settings, violations);
    return resolved(profileId, true, records(adds, input), NONE, input, violations);
  }
  if (matched.length === 1) {
    const adds = withinMappingLimit(fresh, winner.identifiers.length, winner.id, settings, violations);
    return resolved(winner.id, false, records(adds, input), NONE, input, violations);
  }
  return merge(winner, matched, active, owners, fresh, input, settings, violations);
}
function merge(winner, matched, active, owners, fresh, input, settings, violations) {
  const losers = matched.filter((p) => p !== winner);
  const mergeCount = losers.reduce((n, p) => n + 1 + p.mergeCount, winner.mergeCount);
  if (mergeCount > settings.maxMerges) {
    violations.push(mergeLimitViolation(winner.id, mergeCount, settings.maxMerges));
    return joinWithoutMerge(matched[0], active, owners, input, settings, violations);
  }
  const held = matched.reduce((n, p) => n + p.identifiers.length, 0);
  if (held > settings.maxIdentifiers) {
    violations.push(mergeMappingLimitViolation(winner.id, held, settings.maxIdentifiers));
    return joinWithoutMerge(matched[0], active, owners, input, settings, violations);
  }
  const merges = losers.map((p) => ({ loser: p.id, winner: winner.id }));
  const adds = withinMappingLimit(fresh, held, winner.id, settings, violations);
  return resolved(winner.id, false, records(adds, input), merges, input, violations);
}
function joinWithoutMerge(target, active, owners, input, settings, violations) {
  const accepted = [];
  active.forEach((id, i) => {
    if (owners[i] !== void 0) return;
    if (target.identifiers.length + accepted.length >= settings.maxIdentifiers) {
      violations.push(mappingLimitViolation(target.id, settings.maxIdentifiers, id));
      return;
    }
    const breach = findLimitBreach([target], [...accepted, id], settings, input.at);
    if (breach !== void 0) {
      violations.push(limitViolation(breach, id, target.id));
      return;
    }
    accepted.push(id);
  });
  return resolved(target.id, false, records(accepted, input), NONE, input, violations);
}
function withinMappingLimit(fresh, held, profileId, settings, violations) {
  const room = Math.max(0, settings.maxIdentifiers - held);
  if (fresh.length <= room) return fresh;
  for (const id of fresh.slice(room)) violations.push(mappingLimitViolation(profileId, settings.maxIdentifiers, id));
  return fresh.slice(0, room);
}
function prioritised(ids, settings) {
  const unique = [];
  for (const id of ids) {
    if (!unique.some((u) => u.type === id.type && u.value === id.value)) unique.push({ type: id.type, value: id.value });
  }
  return unique.sort((a, b) => ruleOf(settings, a.type).rank - ruleOf(settings, b.type).rank);
}
function matchedProfiles(owners, load) {
  const out = [];
  for (const owner of owners) {
    if (owner === void 0 || out.some((p) => p.id === owner)) continue;
    out.push(load(owner));
  }
  return out;
}
function unheld(active, owners) {
  return active.filter((_, i) => owners[i] === void 0);
}
function firstCreated(profiles) {
  let first;
  for (const p of profiles) {
    if (first === void 0 || p.createdAt < first.createdAt || p.createdAt === first.createdAt && p.id < first.id) first = p;
  }
  return first;
}
function profileLoader(graph) {
  const cache = /* @__PURE__ */ new Map();
  return (id) => {
    const cached = cache.get(id);
    if (cached !== void 0) return cached;
    const profile = graph.profile(id);
    if (profile === void 0) throw new Error(`identity graph: profileOf returned ${id}, which is not a live profile`);
    cache.set(id, profile);
    return profile;
  };
}
function records(ids, input) {
  if (ids.length === 0) return NONE;
  return ids.map((id) => ({ type: id.type, value: id.value, addedAt: input.at, firstMessageId: input.messageId, sourceId: input.sourceId }));
}
function resolved(profileId, created, addIdentifiers2, merges, input, violations) {
  return { kind: "resolved", profileId, created, at: input.at, addIdentifiers: addIdentifiers2, merges, violations };
}

// src/ingest/describe-value.ts
function describeType(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
function quote(value) {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}\u2026` : value);
}

// src/ingest/batch-item-spans.ts
function batchItemSpans(body) {
  let depth = 0;
  let spans;
  let current;
  let elementStart = -1;
  let pendingKey;
  for (let i = 0; i < body.length; i++) {
    const ch = body.charCodeAt(i);
    if (ch === 34) {
      const end = stringEnd(body, i);
      if (depth === 1) {
        const raw = body.slice(i, end + 1);
        pendingKey = raw.includes("\\") ? JSON.parse(raw) : raw.slice(1, -1);
      }
      if (current !== void 0 && depth === 2 && elementStart === -1) elementStart = i;
      i = end;
      continue;
    }
    if (isSpace(ch)) continue;
    if (current !== void 0 && depth === 2 && elementStart === -1 && ch !== 44 && ch !== 93) elementStart = i;
    if (ch === 123 || ch === 91) {
      if (depth === 1 && ch === 91 && pendingKey === "batch") {
        current = [];
        elementStart = -1;
      }
      depth++;
      continue;
    }
    if (ch === 125 || ch === 93) {
      if (current !== void 0 && depth === 2) {
        if (elementStart !== -1) current.push([elementStart, trimEnd(body, i)]);
        spans = current;
        current = void 0;
      }
      depth--;
      continue;
    }
    if (ch === 44) {
      if (current !== void 0 && depth === 2 && elementStart !== -1) {
        current.push([elementStart, trimEnd(body, i)]);
        elementStart = -1;
      }
      if (depth === 1) pendingKey = void 0;
    }
  }
  return spans;
}
function stringEnd(text, start) {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 92) i++;
    else if (ch === 34) return i;
  }
  return text.length - 1;
}
function isSpace(ch) {
  return ch === 32 || ch === 10 || ch === 13 || ch === 9;
}
function trimEnd(text, delimiter) {
  let end = delimiter;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

// src/ingest/envelope-size.ts
var ENVELOPE_OBJECT_FIELDS = ["context", "integrations"];
function measureEnvelope(objects) {
  const sizes = {};
  for (const field of ENVELOPE_OBJECT_FIELDS) {
    const object = objects[field];
    if (object === void 0) continue;
    const entries = /* @__PURE__ */ new Map();
    for (const [key, value] of Object.entries(object)) {
      entries.set(key, Buffer.byteLength(JSON.stringify(key), "utf8") + 1 + Buffer.byteLength(JSON.stringify(value), "utf8"));
    }
    sizes[field] = entries;
  }
  return sizes;
}
function envelopeBytesAdded(sizes, item) {
  let added = 0;
  for (const field of ENVELOPE_OBJECT_FIELDS) {
    const entries = sizes[field];
    if (entries === void 0) continue;
    const ownValue2 = item[field];
    const own = isJsonObject(ownValue2) ? ownValue2 : void 0;
    let count = 0;
    for (const [key, bytes] of entries) {
      if (own !== void 0 && Object.hasOwn(own, key)) continue;
      added += bytes;
      count += 1;
    }
    if (own === void 0) {
      added += field.length + 6 + Math.max(0, count - 1);
    } else if (count > 0) {
      added += Object.keys(own).length === 0 ? count - 1 : count;
    }
  }
  return added;
}

// src/ingest/surrogate-free.ts
var SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
function isSurrogateFreeJson(text) {
  return isWellFormed(text) && !SURROGATE_ESCAPE.test(text);
}

// src/ingest/limits.ts
var MAX_EVENT_BYTES = 32768;
var MAX_REQUEST_BYTES = 512e3;
var MAX_BATCH_ITEMS = 2500;
var MAX_MESSAGE_ID_CHARS = 100;
var MAX_TRAITS = 300;
var MAX_GROUP_ID_CHARS = 500;
var MAX_DEPTH = 32;
var MAX_FUTURE_MS = 365 * 24 * 60 * 60 * 1e3;
var FORBIDDEN_KEYS = ["__proto__", "constructor", "prototype"];

// src/ingest/inspect-shape.ts
var FORBIDDEN = new Set(FORBIDDEN_KEYS);
var MAX_PATH_CHARS = 200;
function inspectShape(value, options = {}) {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const checkStrings = options.surrogateFree !== true;
  if (!isContainer(value)) return void 0;
  if (maxDepth < 1) return tooDeep(maxDepth, { value, depth: 1, parent: void 0, key: void 0 });
  const stack = [{ value, depth: 1, parent: void 0, key: void 0 }];
  for (let frame = stack.pop(); frame !== void 0; frame = stack.pop()) {
    const childDepth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      const array = frame.value;
      let badIndex = -1;
      for (let i = array.length - 1; i >= 0; i -= 1) {
        const child = array[i];
        if (!isContainer(child)) {
          if (isBadScalar(child, checkStrings)) badIndex = i;
          continue;
        }
        const next = { value: child, depth: childDepth, parent: frame, key: i };
        if (childDepth > maxDepth) return tooDeep(maxDepth, next);
        stack.push(next);
      }
      if (badIndex !== -1) return scalarProblem(array[badIndex], frame, badIndex);
      continue;
    }
    const object = frame.value;
    const keys = Object.keys(object);
    let badKey;
    for (const key of keys) {
      if (FORBIDDEN.has(key)) {
        return { code: "forbidden_key", message: `forbidden key at ${formatPath({ value: object, depth: childDepth, parent: frame, key })}` };
      }
      if (badKey !== void 0 || frame.parent === void 0 && key === options.skipRootKey) continue;
      if (checkStrings && !isWellFormed(key) || isBadScalar(object[key], checkStrings)) badKey = key;
    }
    if (badKey !== void 0) {
      if (checkStrings && !isWellFormed(badKey)) {
        return { code: "invalid_unicode", message: `the key at ${formatPath({ value: object, depth: childDepth, parent: frame, key: badKey })} ${LONE_SURROGATE_PROBLEM}` };
      }
      return scalarProblem(object[badKey], frame, badKey);
    }
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i];
      if (frame.parent === void 0 && key === options.skipRootKey) continue;
      const child = object[key];
      if (!isContainer(child)) continue;
      const next = { value: child, depth: childDepth, parent: frame, key };
      if (childDepth > maxDepth) return tooDeep(maxDepth, next);
      stack.push(next);
    }
  }
  return void 0;
}
function isBadScalar(child, checkStrings) {
  if (typeof child === "string") return checkStrings && !isWellFormed(child);
  return typeof child === "number" && !Number.isFinite(child);
}
function scalarProblem(child, parent, key) {
  const path = formatPath({ value: parent.value, depth: parent.depth + 1, parent, key });
  if (typeof child === "string") return { code: "invalid_unicode", message: `${path} ${LONE_SURROGATE_PROBLEM}` };
  return { code: "invalid_field", message: `${path} is a number out of range: JSON numbers must be finite (at most \xB11.7976931348623157e308)` };
}
function isContainer(value) {
  return typeof value === "object" && value !== null;
}
function tooDeep(maxDepth, frame) {
  return {
    code: "nesting_too_deep",
    message: `nesting deeper than ${maxDepth} levels at ${formatPath(frame)}`
  };
}
function formatPath(frame) {
  const parts = [];
  for (let f = frame; f !== void 0 && f.key !== void 0; f = f.parent) {
    if (typeof f.key === "number") parts.push(`[${f.key}]`);
    else parts.push(f.parent?.key === void 0 ? f.key : `.${f.key}`);
  }
  if (parts.length === 0) return "(root)";
  const path = parts.reverse().join("");
  return (path.length > MAX_PATH_CHARS ? `\u2026${path.slice(path.length - MAX_PATH_CHARS)}` : path).toWellFormed();
}

// src/ingest/timestamps.ts
var ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
var MS_PER_MINUTE = 6e4;
function parseIsoTimestamp(text) {
  const m = ISO_TIMESTAMP.exec(text);
  if (m === null) return void 0;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === void 0 ? 0 : Number(m[4]);
  const minute = m[5] === void 0 ? 0 : Number(m[5]);
  const second = m[6] === void 0 ? 0 : Number(m[6]);
  const ms = m[7] === void 0 ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const offsetHours = m[10] === void 0 ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === void 0 ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return void 0;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return void 0;
  if (year < 100) return -1;
  const offset = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}
var DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year, month) {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}
function isLeapYear(year) {
  return year % 4 === 0 && year % 100 !== 0 || year % 400 === 0;
}
function readTimestampField(value, field) {
  if (value === void 0 || value === null) return ok(void 0);
  if (typeof value !== "string") {
    return err({ code: "invalid_timestamp", message: `${field} must be an ISO-8601 string, got ${describeType(value)}` });
  }
  const at = parseIsoTimestamp(value);
  if (at === void 0) {
    return err({ code: "invalid_timestamp", message: `${field} is not an ISO-8601 date: ${quote(value)}` });
  }
  if (at < 0) {
    return err({ code: "invalid_timestamp", message: `${field} is before 1970: ${quote(value)}` });
  }
  return ok(at);
}
function correctClockSkew(clock) {
  if (clock.occurredAt === void 0) return clock.receivedAt;
  if (clock.sentAt === void 0) return clock.occurredAt;
  return clock.receivedAt - (clock.sentAt - clock.occurredAt);
}
function resolveEventTimestamp(item, receivedAt, batchSentAt) {
  const timestamp = readTimestampField(item["timestamp"], "timestamp");
  if (!timestamp.ok) return timestamp;
  const originalTimestamp = readTimestampField(item["originalTimestamp"], "originalTimestamp");
  if (!originalTimestamp.ok) return originalTimestamp;
  const sentAt = readTimestampField(item["sentAt"], "sentAt");
  if (!sentAt.ok) return sentAt;
  const skewSentAt = sentAt.value ?? batchSentAt;
  const corrected = correctClockSkew({
    receivedAt,
    sentAt: skewSentAt,
    occurredAt: timestamp.value ?? originalTimestamp.value
  });
  if (corrected < 0) {
    return err({ code: "invalid_timestamp", message: "timestamp is before 1970 after correcting for sentAt" });
  }
  if (corrected - receivedAt > MAX_FUTURE_MS) {
    const field = timestamp.value !== void 0 ? "timestamp" : "originalTimestamp";
    const note = skewSentAt === void 0 ? "" : " after correcting for sentAt";
    return err({
      code: "invalid_timestamp",
      message: `${field} is more than a year after the event was received${note} (${new Date(corrected).toISOString()}); future-dated events are accepted up to a year ahead`
    });
  }
  return ok(corrected);
}

// src/ingest/read-fields.ts
var STRING_FIELDS = ["userId", "anonymousId", "previousId", "groupId", "messageId", "event", "name", "category"];
var OBJECT_FIELDS = ["traits", "properties", "context", "integrations"];
var EMPTY_IS_ABSENT = /* @__PURE__ */ new Set(["userId", "anonymousId", "previousId", "groupId", "messageId", "event"]);
function readStringFields(item) {
  const fields = {};
  for (const field of STRING_FIELDS) {
    const value = item[field];
    if (value === void 0 || value === null) continue;
    if (typeof value !== "string") {
      return err({ code: "invalid_field", message: `${field} must be a string, got ${describeType(value)}` });
    }
    if (value === "" && EMPTY_IS_ABSENT.has(field)) continue;
    fields[field] = value;
  }
  return ok(fields);
}
function readObjectFields(item) {
  const fields = {};
  for (const field of OBJECT_FIELDS) {
    const value = item[field];
    if (value === void 0 || value === null) continue;
    if (!isJsonObject(value)) {
      return err({ code: "invalid_field", message: `${field} must be an object, got ${describeType(value)}` });
    }
    fields[field] = value;
  }
  return ok(fields);
}

// src/ingest/tracked-event.ts
var EVENT_TYPES = ["identify", "track", "page", "screen", "group", "alias"];

// src/ingest/validate-event.ts
var TYPES = new Set(EVENT_TYPES);
function validateEvent(raw, options) {
  if (!isJsonObject(raw)) {
    return err({ code: "invalid_event", message: `event must be a JSON object, got ${describeType(raw)}` });
  }
  const shapeError = inspectShape(raw, { surrogateFree: options.surrogateFree === true });
  if (shapeError !== void 0) return err(shapeError);
  const sizeError = checkSize(raw, options.byteLength, options.batch?.sizes);
  if (sizeError !== void 0) return err(sizeError);
  const type = readType(raw, options.type);
  if (!type.ok) return type;
  const strings = readStringFields(raw);
  if (!strings.ok) return strings;
  const objects = readObjectFields(raw);
  if (!objects.ok) return objects;
  const s = strings.value;
  const o = objects.value;
  const requiredError = checkRequired(type.value, s);
  if (requiredError !== void 0) return err(requiredError);
  const lengthError = checkLengths(s);
  if (lengthError !== void 0) return err(lengthError);
  if (type.value === "identify" && o.traits !== void 0) {
    const count = Object.keys(o.traits).length;
    if (count >= MAX_TRAITS) {
      return err({ code: "too_many_traits", message: `traits has ${count} keys; an identify call must have fewer than ${MAX_TRAITS}` });
    }
  }
  const timestamp = resolveEventTimestamp(raw, options.receivedAt, options.batch?.sentAt);
  if (!timestamp.ok) return timestamp;
  const event = { type: type.value, timestamp: timestamp.value, receivedAt: options.receivedAt };
  if (s.messageId !== void 0) event.messageId = s.messageId;
  if (s.userId !== void 0) event.userId = s.userId;
  if (s.anonymousId !== void 0) event.anonymousId = s.anonymousId;
  switch (type.value) {
    case "track":
      if (s.event !== void 0) event.event = s.event;
      if (o.properties !== void 0) event.properties = o.properties;
      break;
    case "page":
    case "screen":
      if (s.name !== void 0) event.name = s.name;
      if (s.category !== void 0) event.category = s.category;
      if (o.properties !== void 0) event.properties = o.properties;
      break;
    case "identify":
      if (o.traits !== void 0) event.traits = o.traits;
      break;
    case "group":
      if (s.groupId !== void 0) event.groupId = s.groupId;
      if (o.traits !== void 0) event.traits = o.traits;
      break;
    case "alias":
      if (s.previousId !== void 0) event.previousId = s.previousId;
      break;
  }
  const context = mergeShallow(o.context, options.batch?.context);
  if (context !== void 0) event.context = context;
  const integrations = mergeShallow(o.integrations, options.batch?.integrations);
  if (integrations !== void 0) event.integrations = integrations;
  return ok(event);
}
function checkSize(raw, knownBytes, envelope) {
  const added = envelope === void 0 ? 0 : envelopeBytesAdded(envelope, raw);
  let bytes = knownBytes;
  if (bytes === void 0) {
    const json = JSON.stringify(raw);
    if (!exceedsUtf8Bytes(json, MAX_EVENT_BYTES - added)) return void 0;
    bytes = Buffer.byteLength(json, "utf8");
  }
  if (bytes + added <= MAX_EVENT_BYTES) return void 0;
  if (bytes <= MAX_EVENT_BYTES) {
    return {
      code: "event_too_large",
      message: `event is ${bytes + added} bytes of JSON once the batch's context and integrations are merged into it (${bytes} as sent); the limit is ${MAX_EVENT_BYTES}`
    };
  }
  return { code: "event_too_large", message: `event is ${bytes} bytes of JSON; the limit is ${MAX_EVENT_BYTES}` };
}
function readType(raw, routeType) {
  if (routeType !== void 0) return ok(routeType);
  const type = raw["type"];
  if (type === void 0 || type === null) {
    return err({ code: "invalid_type", message: "type is required on a batch item" });
  }
  if (typeof type !== "string" || !isEventType(type)) {
    const got = typeof type === "string" ? quote(type) : describeType(type);
    return err({ code: "invalid_type", message: `type must be one of ${EVENT_TYPES.join(", ")}, got ${got}` });
  }
  return ok(type);
}
function isEventType(value) {
  return TYPES.has(value);
}
function checkRequired(type, s) {
  if (s.userId === void 0 && s.anonymousId === void 0) {
    return { code: "no_user_anon_id", message: "userId or anonymousId is required (a non-empty string)" };
  }
  if (type === "track" && s.event === void 0) {
    return { code: "missing_event_name", message: "event is required on a track call (a non-empty string)" };
  }
  if (type === "group" && s.groupId === void 0) {
    return { code: "missing_group_id", message: "groupId is required on a group call (a non-empty string)" };
  }
  if (type === "alias" && s.previousId === void 0) {
    return { code: "missing_previous_id", message: "previousId is required on an alias call (a non-empty string)" };
  }
  return void 0;
}
function checkLengths(s) {
  if (s.groupId !== void 0 && exceedsChars(s.groupId, MAX_GROUP_ID_CHARS)) {
    return { code: "id_too_long", message: `groupId is longer than ${MAX_GROUP_ID_CHARS} characters` };
  }
  for (const field of ["userId", "anonymousId", "previousId", "groupId"]) {
    const value = s[field];
    const refusal = value === void 0 ? void 0 : identifierValueError(value, field);
    if (refusal !== void 0) return refusal;
  }
  if (s.messageId !== void 0 && exceedsChars(s.messageId, MAX_MESSAGE_ID_CHARS)) {
    return { code: "message_id_too_long", message: `messageId is longer than ${MAX_MESSAGE_ID_CHARS} characters` };
  }
  return void 0;
}
function mergeShallow(own, fallback) {
  if (own === void 0) return fallback;
  if (fallback === void 0) return own;
  return { ...fallback, ...own };
}

// src/ingest/parse-request.ts
function parseTrackingRequest(request) {
  const { route, body, receivedAt } = request;
  const bodyBytes = body.length > MAX_REQUEST_BYTES ? body.length : Buffer.byteLength(body, "utf8");
  if (bodyBytes > MAX_REQUEST_BYTES) {
    return err({ code: "request_too_large", message: `body is over ${MAX_REQUEST_BYTES} bytes` });
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return err({ code: "invalid_json", message: `body is not valid JSON: ${ensureError(e).message}` });
  }
  if (!isJsonObject(parsed)) {
    return err({ code: "invalid_body", message: `body must be a JSON object, got ${describeType(parsed)}` });
  }
  const writeKey = parsed["writeKey"];
  if (typeof writeKey === "string" && !isWellFormed(writeKey)) {
    return err({ code: "invalid_unicode", message: `writeKey ${LONE_SURROGATE_PROBLEM}` });
  }
  const base = typeof writeKey === "string" && writeKey !== "" ? { writeKey } : {};
  const surrogateFree = isSurrogateFreeJson(body);
  if (route !== "batch") {
    const result = validateEvent(parsed, { type: route, receivedAt, byteLength: bodyBytes, surrogateFree });
    return ok({ ...base, items: [toItem(0, result)] });
  }
  const batch = parseBatchEnvelope(parsed, surrogateFree);
  if (!batch.ok) return batch;
  const { items } = batch.value;
  const defaults = bodyBytes <= MAX_EVENT_BYTES || batch.value.defaults.context === void 0 && batch.value.defaults.integrations === void 0 ? batch.value.defaults : { ...batch.value.defaults, sizes: measureEnvelope(batch.value.defaults) };
  const spans = bodyBytes <= MAX_EVENT_BYTES ? void 0 : batchItemSpans(body);
  const usableSpans = spans !== void 0 && spans.length === items.length ? spans : void 0;
  const parsedItems = items.map((item, index) => {
    const span = usableSpans?.[index];
    const byteLength = span === void 0 ? bodyBytes <= MAX_EVENT_BYTES ? bodyBytes : void 0 : rawBytes(body, span);
    return toItem(index, validateEvent(item, { receivedAt, batch: defaults, surrogateFree, ...byteLength === void 0 ? {} : { byteLength } }));
  });
  return ok({ ...base, items: parsedItems });
}
function parseBatchEnvelope(body, surrogateFree) {
  const items = body["batch"];
  if (!Array.isArray(items)) {
    return err({ code: "invalid_body", message: `batch must be an array, got ${describeType(items)}` });
  }
  if (items.length === 0) return err({ code: "batch_empty", message: "batch has no items" });
  if (items.length > MAX_BATCH_ITEMS) {
    return err({ code: "batch_too_large", message: `batch has ${items.length} items; the limit is ${MAX_BATCH_ITEMS}` });
  }
  const shapeError = inspectShape(body, { skipRootKey: "batch", surrogateFree });
  if (shapeError !== void 0) {
    return err({ code: "invalid_body", message: `batch envelope: ${shapeError.message}` });
  }
  const context = readEnvelopeObject(body, "context");
  if (!context.ok) return context;
  const integrations = readEnvelopeObject(body, "integrations");
  if (!integrations.ok) return integrations;
  const sentAt = readTimestampField(body["sentAt"], "sentAt");
  if (!sentAt.ok) {
    return err({ code: sentAt.error.code, message: `batch envelope: ${sentAt.error.message}` });
  }
  const defaults = {};
  if (sentAt.value !== void 0) defaults.sentAt = sentAt.value;
  if (context.value !== void 0) defaults.context = context.value;
  if (integrations.value !== void 0) defaults.integrations = integrations.value;
  return ok({ items, defaults });
}
function readEnvelopeObject(body, field) {
  const value = body[field];
  if (value === void 0 || value === null) return ok(void 0);
  if (!isJsonObject(value)) {
    return err({ code: "invalid_body", message: `batch envelope: ${field} must be an object, got ${describeType(value)}` });
  }
  return ok(value);
}
function rawBytes(body, [start, end]) {
  const units = end - start;
  return units * 3 <= MAX_EVENT_BYTES ? units : Buffer.byteLength(body.slice(start, end), "utf8");
}
function toItem(index, result) {
  return result.ok ? { index, ok: true, event: result.value } : { index, ok: false, error: result.error };
}

// src/engine.ts
import { randomUUID as randomUUID4 } from "node:crypto";
import { Hono as Hono7 } from "hono";

// src/api/admin-app.ts
import { Hono } from "hono";

// src/api/credentials.ts
function basicUser(header) {
  if (header === void 0) return void 0;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (match === null) return void 0;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user.length > 0 ? user : void 0;
}
function bearerToken(header) {
  if (header === void 0) return void 0;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

// src/api/error-response.ts
function errorResponse(c, code, message, headers) {
  const status = ERROR_CATALOGUE[code].status;
  return c.json({ error: { code, message } }, status, headers);
}

// src/api/read-body.ts
import { promisify } from "node:util";
import { gunzip, inflate, brotliDecompress } from "node:zlib";
var decoders = {
  gzip: promisify(gunzip),
  "x-gzip": promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress)
};
async function readBodyText(request, maxBytes, incoming) {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const raw = incoming === void 0 ? await readLimited(request.body, maxBytes) : await readNodeLimited(incoming, maxBytes);
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return raw.toString("utf8");
  if (!Object.hasOwn(decoders, encoding)) {
    throw new AppError("invalid_encoding", `Content-Encoding ${JSON.stringify(encoding)} is not supported; send gzip, deflate, br or none.`);
  }
  try {
    const decoded = await decoders[encoding](raw, { maxOutputLength: maxBytes + 1 });
    if (decoded.length > maxBytes) throw tooLarge(maxBytes);
    return decoded.toString("utf8");
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof RangeError || error.code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(maxBytes);
    throw new AppError("invalid_encoding", `The ${encoding} body could not be decompressed: ${error.message}`);
  }
}
async function readLimited(body, maxBytes) {
  if (body === null) return Buffer.alloc(0);
  const chunks = [];
  let total = 0;
  const reader = body.getReader();
  for (; ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => void 0);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
async function readNodeLimited(incoming, maxBytes) {
  const chunks = [];
  let total = 0;
  try {
    for await (const chunk of incoming) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (!incoming.complete) throw new AppError("request_aborted", "The client closed the connection before the request body arrived.", { cause: error });
    throw error;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}
function tooLarge(maxBytes) {
  return new AppError("request_too_large", `The request body exceeds ${maxBytes} bytes.`);
}

// src/api/read-json-body.ts
var MAX_ADMIN_BODY_BYTES = 65536;
async function readJsonBody(c, maxBytes = MAX_ADMIN_BODY_BYTES) {
  const text = await readBodyText(c.req.raw, maxBytes, c.env?.incoming);
  if (text.trim() === "") return err({ code: "invalid_json", message: "The body is empty; send a JSON object." });
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    return err({ code: "invalid_json", message: `The body is not valid JSON: ${ensureError(error).message}` });
  }
}

// src/api/admin-app.ts
function isManual(clock) {
  return clock.kind === "manual";
}
function createAdminApp(deps) {
  const app = new Hono();
  app.post("/v1/admin/clock", async (c) => {
    const token = bearerToken(c.req.header("authorization"));
    if (token === void 0 || deps.spaces.byAdminToken(token) === void 0) {
      return errorResponse(c, "unauthorized", "An admin token of any space is required (Authorization: Bearer \u2026).");
    }
    const { clock } = deps;
    if (!isManual(clock)) return errorResponse(c, "clock_not_manual", 'The engine runs on the system clock; set "clock": "manual" in config to move it.');
    const body = await readJsonBody(c);
    if (!body.ok) return errorResponse(c, "invalid_json", 'The body must be JSON: {"advanceMs": n} or {"now": "<ISO-8601>"}.');
    const target = targetTime(body.value, clock.now());
    if (typeof target === "string") return errorResponse(c, target === "backwards" ? "clock_backwards" : "invalid_body", messages[target]);
    await deps.advanceTo(target);
    return c.json({ now: new Date(clock.now()).toISOString() });
  });
  return app;
}
var MAX_TIME = 864e13;
var messages = {
  shape: 'Send exactly one of {"advanceMs": n} (n \u2265 0) or {"now": "<ISO-8601>"}.',
  advance: "`advanceMs` must be a finite number \u2265 0 that keeps the clock before the year 275760.",
  now: "`now` must be an ISO-8601 date-time string.",
  backwards: "The manual clock cannot move backwards."
};
function targetTime(body, current) {
  if (!isJsonObject(body)) return "shape";
  const hasAdvance = Object.hasOwn(body, "advanceMs");
  const hasNow = Object.hasOwn(body, "now");
  if (hasAdvance === hasNow) return "shape";
  if (hasAdvance) {
    const advance = body["advanceMs"];
    if (typeof advance !== "number" || !Number.isFinite(advance)) return "advance";
    if (advance < 0) return "backwards";
    const target = current + Math.floor(advance);
    return target > MAX_TIME ? "advance" : target;
  }
  const now = body["now"];
  const parsed = typeof now === "string" ? parseIsoTimestamp(now) : void 0;
  if (parsed === void 0) return "now";
  return parsed < current ? "backwards" : parsed;
}

// src/api/definitions-app.ts
import { Hono as Hono2 } from "hono";

// src/api/admin-access.ts
function adminSpace(c, spaces) {
  const token = bearerToken(c.req.header("authorization"));
  const owner = token === void 0 ? void 0 : spaces.byAdminToken(token);
  if (owner === void 0) return errorResponse(c, "unauthorized", "An admin token of this space is required (Authorization: Bearer \u2026).");
  const requested = c.req.param("space");
  if (owner.id !== requested) return errorResponse(c, "not_found", `Space ${JSON.stringify(requested)} was not found.`);
  return owner;
}

// src/api/definitions/definition-body.ts
var MAX_NAME_LENGTH = 200;
var MAX_DESCRIPTION_LENGTH = 2e3;
var CREATE_FIELDS = ["name", "key", "description", "definition", "enabled", "options"];
var PATCH_FIELDS = ["name", "description", "definition", "enabled"];
var DEFINITION_FIELDS = ["query", "type"];
var OPTION_FIELDS = ["includeHistoricalData", "backfillEventDataDays", "includeAnonymousUsers"];
var TARGETS = ["USERS", "ACCOUNTS"];
function parseCreateBody(body, kind) {
  if (!isJsonObject(body)) return invalid2(`The body must be a JSON object such as {"name": "\u2026", "definition": {"query": "\u2026"}}.`);
  const unknown = unknownFields(body, CREATE_FIELDS, "");
  if (unknown !== void 0) return unknown;
  if (body["name"] === void 0) return invalid2("`name` is required: a non-empty string.");
  const name2 = readName(body["name"]);
  if (!name2.ok) return name2;
  const key = body["key"];
  if (key !== void 0 && typeof key !== "string") return invalid2(`\`key\` must be a string (lower-case words joined by "_"), got ${describe2(key)}.`);
  const description = readDescription(body["description"]);
  if (!description.ok) return description;
  if (body["definition"] === void 0) return invalid2('`definition` is required: {"query": "<definition>", "type"?: "USERS"|"ACCOUNTS"}.');
  const definition = readDefinition(body["definition"]);
  if (!definition.ok) return definition;
  const enabled = readBoolean2(body["enabled"], "enabled", true);
  if (!enabled.ok) return enabled;
  const options = readOptions(body["options"]);
  if (!options.ok) return options;
  return ok({
    kind,
    name: name2.value,
    ...key === void 0 ? {} : { key },
    ...description.value === void 0 ? {} : { description: description.value },
    query: definition.value.query,
    target: definition.value.type ?? "USERS",
    enabled: enabled.value,
    options: options.value
  });
}
function parsePatchBody(body) {
  if (!isJsonObject(body)) return invalid2("The body must be a JSON object with any of `name`, `description`, `definition`, `enabled`.");
  if (Object.hasOwn(body, "key")) return err({ code: "key_immutable", message: "`key` cannot be changed after creation; leave it out of the PATCH body." });
  if (Object.hasOwn(body, "options")) return invalid2("`options` cannot be changed after creation; create a new definition with other options.");
  const unknown = unknownFields(body, PATCH_FIELDS, "");
  if (unknown !== void 0) return unknown;
  const name2 = body["name"] === void 0 ? ok(void 0) : readName(body["name"]);
  if (!name2.ok) return name2;
  const description = readDescription(body["description"]);
  if (!description.ok) return description;
  const definition = body["definition"] === void 0 ? ok(void 0) : readDefinition(body["definition"]);
  if (!definition.ok) return definition;
  const enabled = body["enabled"] === void 0 ? ok(void 0) : readBoolean2(body["enabled"], "enabled", false);
  if (!enabled.ok) return enabled;
  const patch = {
    ...name2.value === void 0 ? {} : { name: name2.value },
    ...description.value === void 0 ? {} : { description: description.value },
    ...definition.value === void 0 ? {} : { query: definition.value.query },
    ...enabled.value === void 0 ? {} : { enabled: enabled.value }
  };
  const target = definition.value?.type;
  return ok({ patch, ...target === void 0 ? {} : { target } });
}
function readName(value) {
  if (typeof value !== "string") return invalid2(`\`name\` must be a string, got ${describe2(value)}.`);
  if (value.trim() === "") return invalid2("`name` must not be empty.");
  const length = [...value].length;
  if (length > MAX_NAME_LENGTH) return invalid2(`\`name\` is ${length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`);
  return ok(value);
}
function readDescription(value) {
  if (value === void 0 || value === null) return ok(void 0);
  if (typeof value !== "string") return invalid2(`\`description\` must be a string, got ${describe2(value)}.`);
  const length = [...value].length;
  if (length > MAX_DESCRIPTION_LENGTH) return invalid2(`\`description\` is ${length} characters long; at most ${MAX_DESCRIPTION_LENGTH} are allowed.`);
  return ok(value);
}
function readDefinition(value) {
  if (!isJsonObject(value)) return invalid2(`\`definition\` must be an object {"query": "<definition>", "type"?: "USERS"|"ACCOUNTS"}, got ${describe2(value)}.`);
  const unknown = unknownFields(value, DEFINITION_FIELDS, "definition.");
  if (unknown !== void 0) return unknown;
  const query = value["query"];
  if (query === void 0) return invalid2("`definition.query` is required: the definition text.");
  if (typeof query !== "string") return invalid2(`\`definition.query\` must be a string, got ${describe2(query)}.`);
  const type = value["type"];
  if (type === void 0 || type === null) return ok({ query });
  const target = TARGETS.find((t) => t === type);
  if (target === void 0) return invalid2(`\`definition.type\` must be "USERS" or "ACCOUNTS", got ${describe2(type)}.`);
  return ok({ query, type: target });
}
function readOptions(value) {
  if (value === void 0 || value === null) return ok({ includeHistoricalData: true, includeAnonymousUsers: false });
  if (!isJsonObject(value)) return invalid2(`\`options\` must be an object, got ${describe2(value)}.`);
  const unknown = unknownFields(value, OPTION_FIELDS, "options.");
  if (unknown !== void 0) return unknown;
  const historical = readBoolean2(value["includeHistoricalData"], "options.includeHistoricalData", true);
  if (!historical.ok) return historical;
  const anonymous = readBoolean2(value["includeAnonymousUsers"], "options.includeAnonymousUsers", false);
  if (!anonymous.ok) return anonymous;
  const days = value["backfillEventDataDays"];
  if (days !== void 0 && days !== null && !(typeof days === "number" && Number.isSafeInteger(days) && days > 0)) {
    return invalid2(`\`options.backfillEventDataDays\` must be a positive integer (days of history a backfill replays), got ${describe2(days)}.`);
  }
  return ok({
    includeHistoricalData: historical.value,
    ...typeof days === "number" ? { backfillEventDataDays: days } : {},
    includeAnonymousUsers: anonymous.value
  });
}
function readBoolean2(value, path, fallback) {
  if (value === void 0) return ok(fallback);
  if (typeof value !== "boolean") return invalid2(`\`${path}\` must be true or false, got ${describe2(value)}.`);
  return ok(value);
}
function unknownFields(object, allowed, prefix) {
  const extra = Object.keys(object).filter((field) => !allowed.includes(field));
  if (extra.length === 0) return void 0;
  const names = extra.slice(0, 10).map((field) => `\`${prefix}${truncate(field)}\``);
  const more = extra.length > 10 ? ` and ${extra.length - 10} more` : "";
  const allowedNames = allowed.map((field) => `\`${prefix}${field}\``).join(", ");
  return invalid2(`Unknown field${extra.length === 1 ? "" : "s"} ${names.join(", ")}${more}; allowed: ${allowedNames}.`);
}
function describe2(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return String(value);
    case "boolean":
      return String(value);
    default:
      return "an object";
  }
}
function truncate(field) {
  return field.length > 60 ? `${field.slice(0, 60)}\u2026` : field;
}
function invalid2(message) {
  return err({ code: "invalid_body", message });
}

// src/api/definitions/definition-view.ts
function definitionJson({ record, size }) {
  const { lifecycle, options } = record;
  return {
    id: record.id,
    key: record.key,
    name: record.name,
    description: record.description ?? null,
    definition: { query: record.query, type: record.target },
    enabled: record.enabled,
    status: lifecycle.status,
    ...lifecycle.status === "Computing" ? { progress: lifecycle.progress ?? 0 } : {},
    ...lifecycle.status === "Failed" ? { reason: lifecycle.reason ?? "unknown failure" } : {},
    ...size === void 0 ? {} : { size },
    options: {
      includeHistoricalData: options.includeHistoricalData,
      backfillEventDataDays: options.backfillEventDataDays ?? null,
      includeAnonymousUsers: options.includeAnonymousUsers
    },
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString()
  };
}

// src/api/on-error.ts
function createOnError(hooks = {}) {
  return (caught, c) => {
    const error = ensureError(caught);
    if (error instanceof AppError) {
      if (error.code === "request_aborted") {
        hooks.onClientAbort?.();
        c.get("log")?.debug({ method: c.req.method, path: c.req.path }, "client closed the connection mid-request");
      }
      return errorResponse(c, error.code, error.message);
    }
    c.get("log")?.error({ err: error }, "request failed");
    return errorResponse(c, "internal_error", "An internal error occurred; it has been logged.");
  };
}
var onError = createOnError();

// src/api/definitions-app.ts
var MAX_DEFINITION_BODY_BYTES = 65536;
var COLLECTIONS = [
  { kind: "audience", path: "audiences", one: "audience", many: "audiences", label: "audience" },
  { kind: "computed_trait", path: "computed-traits", one: "computedTrait", many: "computedTraits", label: "computed trait" }
];
function createDefinitionsApp(deps) {
  const { spaces, definitions } = deps;
  const app = new Hono2();
  app.onError(onError);
  for (const collection of COLLECTIONS) {
    const { kind, one, many } = collection;
    const base = `/v1/spaces/:space/${collection.path}`;
    app.post(base, async (c) => {
      const space2 = adminSpace(c, spaces);
      if (space2 instanceof Response) return space2;
      const body = await readJsonBody(c, MAX_DEFINITION_BODY_BYTES);
      if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
      const parsed = parseCreateBody(body.value, kind);
      if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
      const created = await definitions.create(space2.id, parsed.value);
      return c.json({ [one]: definitionJson(created) }, 201);
    });
    app.get(base, (c) => {
      const space2 = adminSpace(c, spaces);
      if (space2 instanceof Response) return space2;
      return c.json({ [many]: definitions.list(space2.id, kind).map(definitionJson) });
    });
    app.get(`${base}/:id`, (c) => {
      const space2 = adminSpace(c, spaces);
      if (space2 instanceof Response) return space2;
      const found = definitions.find(space2.id, kind, c.req.param("id"));
      if (found === void 0) return notFound(c, collection);
      return c.json({ [one]: definitionJson(found) });
    });
    app.patch(`${base}/:id`, async (c) => {
      const space2 = adminSpace(c, spaces);
      if (space2 instanceof Response) return space2;
      const current = definitions.find(space2.id, kind, c.req.param("id"));
      if (current === void 0) return notFound(c, collection);
      const body = await readJsonBody(c, MAX_DEFINITION_BODY_BYTES);
      if (!body.ok) return errorResponse(c, body.error.code, body.error.message);
      const parsed = parsePatchBody(body.value);
      if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
      const { patch, target } = parsed.value;
      if (target !== void 0 && target !== current.record.target) {
        return errorResponse(c, "invalid_body", `\`definition.type\` cannot be changed (this ${collection.label} is ${current.record.target}); create a new one instead.`);
      }
      const updated = await definitions.update(space2.id, kind, current.record.id, patch);
      return c.json({ [one]: definitionJson(updated) });
    });
    app.delete(`${base}/:id`, async (c) => {
      const space2 = adminSpace(c, spaces);
      if (space2 instanceof Response) return space2;
      const current = definitions.find(space2.id, kind, c.req.param("id"));
      if (current === void 0) return notFound(c, collection);
      await definitions.remove(space2.id, kind, current.record.id);
      return c.body(null, 204);
    });
  }
  return app;
}
function notFound(c, collection) {
  return errorResponse(c, "not_found", `No ${collection.label} ${JSON.stringify(c.req.param("id"))} in this space.`);
}

// src/api/health-app.ts
import { Hono as Hono3 } from "hono";
function createHealthApp(deps) {
  const app = new Hono3();
  app.get("/health", (c) => deps.isReady() ? c.json({ status: "ok" }) : errorResponse(c, "unavailable", "The engine is starting or stopping."));
  app.get("/metrics", async (c) => c.text(await deps.registry.metrics(), 200, { "Content-Type": deps.registry.contentType }));
  return app;
}

// src/api/identity-admin-app.ts
import { Hono as Hono4 } from "hono";

// src/api/log-cursor.ts
function encodeLogCursor(key) {
  return Buffer.from(JSON.stringify(key.slice(1)), "utf8").toString("base64url");
}
function decodeLogCursor(cursor, spaceId, shape) {
  let rest;
  try {
    rest = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(rest) || rest.length !== shape.length) return null;
  if (!shape.every((part, i) => fitsPart(rest[i], part))) return null;
  return [spaceId, ...rest];
}
function fitsPart(value, part) {
  switch (part) {
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "message_id":
      return typeof value === "string" && isWellFormed(value) && !exceedsChars(value, MAX_MESSAGE_ID_CHARS);
    case "profile_id":
      return typeof value === "string" && isWellFormed(value) && value.length <= MAX_PROFILE_ID_UNITS;
  }
}

// src/api/profiles/lookup-id.ts
function parseLookupId(segment) {
  if (!isWellFormed(segment)) return err({ code: "invalid_unicode", message: `The profile id in the path ${LONE_SURROGATE_PROBLEM}.` });
  const colon = segment.indexOf(":");
  if (colon === -1) return ok(segment.length > MAX_PROFILE_ID_UNITS ? void 0 : { kind: "profile", profileId: asProfileId(segment) });
  const type = segment.slice(0, colon);
  const value = segment.slice(colon + 1);
  return ok(isStorableIdentifier(type, value) ? { kind: "identifier", identifier: { type, value } } : void 0);
}

// src/api/identity-admin-app.ts
var DEFAULT_LOG_LIMIT = 50;
var MAX_LOG_LIMIT = 500;
function createIdentityAdminApp(deps) {
  const app = new Hono4();
  for (const prefix of ["/v1/spaces", "/v1/namespaces"]) {
    app.delete(`${prefix}/:space/collections/users/profiles/:id`, async (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      const lookup = parseLookupId(c.req.param("id"));
      if (!lookup.ok) return errorResponse(c, lookup.error.code, lookup.error.message);
      const deleted = lookup.value !== void 0 && await deps.deleteProfile(space2.id, lookup.value);
      if (!deleted) return errorResponse(c, "not_found", "Profile was not found.");
      return c.body(null, 204);
    });
    app.delete(`${prefix}/:space/collections/accounts/profiles/:id`, async (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      const lookup = parseLookupId(c.req.param("id"));
      if (!lookup.ok) return errorResponse(c, lookup.error.code, lookup.error.message);
      const target = lookup.value;
      const deleted = target?.kind === "identifier" && target.identifier.type === "group_id" && await deps.deleteAccount(space2.id, target.identifier.value);
      if (!deleted) return errorResponse(c, "not_found", "Profile was not found.");
      return c.body(null, 204);
    });
    app.get(`${prefix}/:space/insights`, (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      return listPage(c, space2.id, INSIGHT_KEY, (limit, from) => deps.insights.list(space2.id, limit, from), "insights");
    });
    app.get(`${prefix}/:space/id-graph-updates`, (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      return listPage(c, space2.id, GRAPH_UPDATE_KEY, (limit, from) => deps.mergeLog.list(space2.id, limit, from), "updates");
    });
    app.get(`${prefix}/:space/suppressions`, (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      return c.json({ suppressions: deps.suppressions.list(space2).map(withIsoTime) });
    });
    app.post(`${prefix}/:space/suppressions`, async (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      const read = await readJsonBody(c);
      const body = read.ok ? read.value : void 0;
      const userId = isJsonObject(body) ? body["userId"] : void 0;
      if (typeof userId !== "string" || userId.length === 0) {
        return errorResponse(c, "invalid_body", 'Send {"userId": "<non-empty string>", "deleteProfile"?: boolean}.');
      }
      const refusal = identifierValueError(userId, "userId");
      if (refusal !== void 0) return errorResponse(c, refusal.code, refusal.message);
      const suppression = await deps.suppressions.add(space2, userId, deps.clock.now());
      if (isJsonObject(body) && body["deleteProfile"] === true) {
        await deps.deleteProfile(space2.id, { kind: "identifier", identifier: { type: "user_id", value: userId } });
      }
      return c.json({ suppression: withIsoTime(suppression) }, 201);
    });
    app.delete(`${prefix}/:space/suppressions/:userId`, async (c) => {
      const space2 = adminSpace(c, deps.spaces);
      if (space2 instanceof Response) return space2;
      const userId = c.req.param("userId");
      if (!isWellFormed(userId)) return errorResponse(c, "invalid_unicode", `The userId in the path ${LONE_SURROGATE_PROBLEM}.`);
      const outcome = exceedsUtf8Bytes(userId, MAX_ID_BYTES) ? "not_found" : await deps.suppressions.remove(space2, userId);
      if (outcome === "not_found") return errorResponse(c, "not_found", "That userId is not suppressed.");
      if (outcome === "config") return errorResponse(c, "invalid_request_error", "That userId is suppressed in config (suppressedUserIds); remove it there.");
      return c.body(null, 204);
    });
  }
  return app;
}
function withIsoTime(value) {
  return { ...value, at: value.at === null ? null : new Date(value.at).toISOString() };
}
var INSIGHT_KEY = ["number", "number"];
var GRAPH_UPDATE_KEY = ["number", "message_id", "profile_id"];
function listPage(c, spaceId, keyShape, list, field) {
  const limitParam = c.req.query("limit");
  if (limitParam !== void 0 && (!/^\d+$/.test(limitParam) || Number(limitParam) < 1)) {
    return errorResponse(c, "invalid_request_error", "`limit` must be a positive integer.");
  }
  const nextParam = c.req.query("next");
  const from = nextParam === void 0 || nextParam === "" ? void 0 : decodeLogCursor(nextParam, spaceId, keyShape);
  if (from === null) return errorResponse(c, "invalid_request_error", "`next` is not a cursor this API issued.");
  const limit = Math.min(limitParam === void 0 ? DEFAULT_LOG_LIMIT : Number(limitParam), MAX_LOG_LIMIT);
  const page = list(limit, from);
  return c.json({
    [field]: page.items.map((item) => ({ ...item, at: new Date(item.at).toISOString() })),
    cursor: { has_more: page.next !== void 0, next: page.next === void 0 ? "" : encodeLogCursor(page.next) }
  });
}

// src/api/profiles-app.ts
import { Hono as Hono5 } from "hono";

// src/api/profiles/cursor.ts
function encodeOffsetCursor(offset) {
  return Buffer.from(String(offset), "utf8").toString("base64url");
}
function decodeOffsetCursor(cursor) {
  const text = decode(cursor);
  if (text === void 0 || !/^\d{1,15}$/.test(text)) return void 0;
  return Number(text);
}
function encodeEventCursor(position) {
  return Buffer.from(`${position.timestamp}::${position.messageId}`, "utf8").toString("base64url");
}
function decodeEventCursor(cursor) {
  const text = decode(cursor);
  const match = text === void 0 ? null : /^(-?\d{1,16})::(.*)$/s.exec(text);
  if (match === null) return void 0;
  const timestamp = Number(match[1]);
  const messageId = match[2];
  if (!Number.isSafeInteger(timestamp) || exceedsChars(messageId, MAX_MESSAGE_ID_CHARS)) return void 0;
  return { timestamp, messageId };
}
function decode(cursor) {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return void 0;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  return Buffer.from(text, "utf8").toString("base64url") === cursor ? text : void 0;
}

// src/identity/identifier.ts
function collectionOf(type) {
  return type === "group_id" ? "accounts" : "users";
}

// src/api/profiles/iso-time.ts
function isoTime(at) {
  return new Date(at).toISOString();
}

// src/api/profiles/event-view.ts
function eventView(event, name2, profileId) {
  return {
    external_ids: externalIdsOf(event),
    context: event.context ?? {},
    type: event.type,
    message_id: event.messageId,
    source_id: event.sourceId,
    timestamp: isoTime(event.timestamp),
    properties: propertiesOf(event),
    event: name2,
    related: { users: profileId }
  };
}
function propertiesOf(event) {
  const properties = { ...event.properties ?? {} };
  if (event.type === "page" || event.type === "screen") {
    if (event.name !== void 0 && !Object.hasOwn(properties, "name")) properties["name"] = event.name;
    if (event.category !== void 0 && !Object.hasOwn(properties, "category")) properties["category"] = event.category;
  }
  return properties;
}
function externalIdsOf(event) {
  const ids = [];
  const add = (type, id, collection = collectionOf(type)) => {
    if (id.length > 0 && !ids.some((seen) => seen.type === type && seen.id === id)) {
      ids.push({ collection, type, id, encoding: "none" });
    }
  };
  if (event.userId !== void 0) add("user_id", event.userId);
  if (event.anonymousId !== void 0) add("anonymous_id", event.anonymousId);
  const contextTraits = event.context?.["traits"];
  const email = isJsonObject(contextTraits) ? contextTraits["email"] : void 0;
  if (typeof email === "string") add("email", email);
  const custom = event.context?.["externalIds"];
  if (Array.isArray(custom)) {
    for (const entry of custom) {
      if (!isJsonObject(entry) || typeof entry["type"] !== "string" || typeof entry["id"] !== "string") continue;
      const collection = entry["collection"] === "accounts" || entry["collection"] === "users" ? entry["collection"] : void 0;
      add(entry["type"], entry["id"], collection);
    }
  }
  return ids;
}

// src/api/profiles/query-params.ts
function invalidParam(name2, problem) {
  return err({ code: "invalid_request_error", message: `The parameter \`${name2}\` ${problem}.` });
}
function readLimit(query, bounds) {
  const raw = query.get("limit");
  if (raw === null) return ok(bounds.fallback);
  if (!/^\d+$/.test(raw)) return invalidParam("limit", "must be a positive integer");
  const value = Number(raw);
  if (value < 1) return invalidParam("limit", "must be a positive integer");
  return ok(Math.min(value, bounds.max));
}
function readList(query, name2) {
  const raw = query.get(name2);
  if (raw === null) return void 0;
  const items = raw.split(",").map((item) => item.trim()).filter((item) => item.length > 0);
  return items.length === 0 ? void 0 : new Set(items);
}
function readChoice(query, name2, choices) {
  const raw = query.get(name2);
  if (raw === null) return ok(void 0);
  const found = choices.find((choice) => choice === raw);
  if (found === void 0) return invalidParam(name2, `must be one of ${choices.map((c) => `\`${c}\``).join(", ")}`);
  return ok(found);
}
function readFlag(query, name2) {
  const choice = readChoice(query, name2, ["true", "false"]);
  return choice.ok ? ok(choice.value === "true") : choice;
}
function readIsoTime(query, name2) {
  const raw = query.get(name2);
  if (raw === null) return ok(void 0);
  const at = parseIsoTimestamp(raw);
  if (at === void 0) return invalidParam(name2, "must be an ISO-8601 date or date-time");
  return ok(at);
}

// src/api/profiles/events-resource.ts
var DEFAULT_LIMIT2 = 10;
var MAX_LIMIT = 100;
var WINDOW_MS = 14 * 24 * 60 * 60 * 1e3;
var eventsResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT2, max: MAX_LIMIT });
  if (!limit.ok) return limit;
  const sort = readChoice(query, "sort", ["asc", "desc"]);
  if (!sort.ok) return sort;
  const start = readIsoTime(query, "start");
  if (!start.ok) return start;
  const end = readIsoTime(query, "end");
  if (!end.ok) return end;
  const include = readList(query, "include");
  const exclude = readList(query, "exclude");
  const next = query.get("next");
  const after = next === null || next === "" ? void 0 : decodeEventCursor(next);
  if (next !== null && next !== "" && after === void 0) return invalidParam("next", "is not a cursor this API returned");
  return ok((profile, { reader, now, url }) => {
    const scan = {
      from: latest(now - WINDOW_MS, start.value),
      to: earliest(now, end.value),
      order: sort.value ?? "desc",
      ...after === void 0 ? {} : { after }
    };
    const data = [];
    let last;
    let hasMore = false;
    for (const event of reader.events(profile, scan)) {
      const name2 = occurrenceName(event);
      if (name2 === void 0 || include !== void 0 && !include.has(name2) || exclude?.has(name2) === true) continue;
      if (data.length === limit.value) {
        hasMore = true;
        break;
      }
      data.push(eventView(event, name2, profile.id));
      last = { timestamp: event.timestamp, messageId: event.messageId };
    }
    return {
      data,
      cursor: { url, has_more: hasMore, next: hasMore && last !== void 0 ? encodeEventCursor(last) : "", limit: limit.value }
    };
  });
};
function latest(bound, given) {
  return given === void 0 ? bound : Math.max(bound, given);
}
function earliest(bound, given) {
  return given === void 0 ? bound : Math.min(bound, given);
}

// src/api/profiles/external-ids-resource.ts
var DEFAULT_LIMIT3 = 10;
var MAX_LIMIT2 = 100;
var externalIdsResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT3, max: MAX_LIMIT2 });
  if (!limit.ok) return limit;
  const verbose = readFlag(query, "verbose");
  if (!verbose.ok) return verbose;
  const include = readList(query, "include");
  const next = query.get("next");
  const offset = next === null || next === "" ? 0 : decodeOffsetCursor(next);
  if (offset === void 0) return invalidParam("next", "is not a cursor this API returned");
  return ok((profile, { url }) => {
    const ids = newestFirst(profile.identifiers).filter((id) => include === void 0 || include.has(id.type));
    const page = ids.slice(offset, offset + limit.value);
    const hasMore = offset + limit.value < ids.length;
    return {
      data: page.map((id) => ({
        source_id: id.sourceId,
        collection: collectionOf(id.type),
        id: id.value,
        type: id.type,
        created_at: isoTime(id.addedAt),
        encoding: "none",
        first_message_id: id.firstMessageId
      })),
      cursor: { url, has_more: hasMore, next: hasMore ? encodeOffsetCursor(offset + limit.value) : "", limit: limit.value }
    };
  });
};
function newestFirst(ids) {
  return ids.map((id, index) => ({ id, index })).sort((a, b) => b.id.addedAt - a.id.addedAt || b.index - a.index).map(({ id }) => id);
}

// src/api/profiles/links-resource.ts
var DEFAULT_LIMIT4 = 10;
var MAX_LIMIT3 = 20;
var linksResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT4, max: MAX_LIMIT3 });
  if (!limit.ok) return limit;
  const next = query.get("next");
  const offset = next === null || next === "" ? 0 : decodeOffsetCursor(next);
  if (offset === void 0) return invalidParam("next", "is not a cursor this API returned");
  return ok((profile, { url }) => {
    const onAccount = collectionOfProfile(profile) === "accounts";
    const links = Object.entries(profile.links ?? {}).sort(([, a], [, b]) => a.createdAt - b.createdAt);
    const page = links.slice(offset, offset + limit.value);
    const hasMore = offset + limit.value < links.length;
    return {
      data: page.map(([key, link]) => onAccount ? userLink(key, link) : accountLink(key, link)),
      cursor: { url, has_more: hasMore, next: hasMore ? encodeOffsetCursor(offset + limit.value) : "", limit: limit.value }
    };
  });
};
function accountLink(groupId, link) {
  return {
    to_collection: "accounts",
    external_ids: [{ id: groupId, type: "group_id", source_id: link.sourceId, collection: "accounts", created_at: isoTime(link.createdAt), encoding: "none" }]
  };
}
function userLink(userKey, link) {
  const colon = userKey.indexOf(":");
  return {
    to_collection: "users",
    external_ids: [
      { id: userKey.slice(colon + 1), type: userKey.slice(0, colon), source_id: link.sourceId, collection: "users", created_at: isoTime(link.createdAt), encoding: "none" }
    ]
  };
}

// src/api/profiles/metadata-resource.ts
var metadataResource = (query) => {
  const verbose = readFlag(query, "verbose");
  if (!verbose.ok) return verbose;
  return ok((profile) => ({
    metadata: {
      created_at: isoTime(profile.first.receivedAt),
      updated_at: isoTime(profile.last.receivedAt),
      expires_at: null,
      first_message_id: profile.first.messageId,
      first_source_id: profile.first.sourceId,
      last_message_id: profile.last.messageId,
      last_source_id: profile.last.sourceId
    }
  }));
};

// src/api/profiles/space-access.ts
function createSpaceAccess(spaces) {
  const spacesByToken = /* @__PURE__ */ new Map();
  for (const space2 of spaces) {
    for (const token of space2.accessTokens) spacesByToken.set(token, [...spacesByToken.get(token) ?? [], space2.id]);
  }
  return (space2, token) => {
    const owners = token === void 0 ? void 0 : spacesByToken.get(token);
    if (owners === void 0) return { kind: "denied" };
    const spaceId = owners.find((id) => id === space2);
    return spaceId === void 0 ? { kind: "foreign" } : { kind: "granted", spaceId };
  };
}

// src/api/profiles/compare-code-points.ts
function compareCodePoints3(a, b) {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

// src/api/profiles/traits-resource.ts
var TRAIT_CLASSES = ["audience", "computed_trait"];
var DEFAULT_LIMIT5 = 10;
var MAX_LIMIT4 = 200;
var traitsResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT5, max: MAX_LIMIT4 });
  if (!limit.ok) return limit;
  const traitClass = readChoice(query, "class", TRAIT_CLASSES);
  if (!traitClass.ok) return traitClass;
  const verbose = readFlag(query, "verbose");
  if (!verbose.ok) return verbose;
  const include = readList(query, "include");
  const from = query.get("next") ?? "";
  return ok((profile, { url, traitClassOf }) => {
    const wanted = traitClass.value;
    const keys = visibleTraits(profile).filter(([key]) => (include === void 0 || include.has(key)) && (wanted === void 0 || traitClassOf(key) === wanted)).sort(([a], [b]) => compareCodePoints3(a, b));
    const start = keys.findIndex(([key]) => compareCodePoints3(key, from) >= 0);
    const rest = start === -1 ? [] : keys.slice(start);
    const page = rest.slice(0, limit.value);
    const following = rest[limit.value];
    const traits = {};
    for (const [key, entry] of page) traits[key] = verbose.value ? verboseValue(entry) : entry.value;
    return {
      traits,
      cursor: { url, has_more: following !== void 0, next: following?.[0] ?? "", limit: limit.value }
    };
  });
};
function verboseValue(entry) {
  return { value: entry.value, source_id: entry.sourceId, updated_at: isoTime(entry.updatedAt) };
}

// src/api/profiles-app.ts
var PREFIXES = ["/v1/spaces", "/v1/namespaces"];
var PROFILE_RESOURCES = /* @__PURE__ */ new Map([
  ["traits", traitsResource],
  ["external_ids", externalIdsResource],
  ["events", eventsResource],
  ["metadata", metadataResource],
  ["links", linksResource]
]);
var RESOURCES = /* @__PURE__ */ new Map([
  ["users", PROFILE_RESOURCES],
  ["accounts", PROFILE_RESOURCES]
]);
var PROFILE_NOT_FOUND = "Profile was not found.";
function createProfilesApp(deps) {
  const { reader, clock } = deps;
  const checkAccess = createSpaceAccess(deps.spaces);
  const app = new Hono5();
  app.onError(onError);
  function lookup(c) {
    const access = checkAccess(c.req.param("space") ?? "", basicUser(c.req.header("authorization")));
    if (access.kind === "denied") {
      return errorResponse(c, "authentication_error", "A valid access token is required (HTTP Basic, token as user name).", {
        "WWW-Authenticate": 'Basic realm="Profile API"'
      });
    }
    const collection = c.req.param("collection") ?? "";
    const name2 = c.req.param("resource") ?? "";
    const resource = RESOURCES.get(collection)?.get(name2);
    if (resource === void 0) return errorResponse(c, "not_found", `The resource \`${collection}/profiles/\u2026/${name2}\` does not exist.`);
    const url = new URL(c.req.url);
    const render = resource(url.searchParams);
    if (!render.ok) return errorResponse(c, render.error.code, render.error.message);
    const lookupId = parseLookupId(c.req.param("id") ?? "");
    if (!lookupId.ok) return errorResponse(c, lookupId.error.code, lookupId.error.message);
    if (access.kind === "foreign") return errorResponse(c, "not_found", PROFILE_NOT_FOUND);
    const profile = lookupId.value === void 0 ? void 0 : reader.findProfile(access.spaceId, lookupId.value);
    if (profile === void 0 || collectionOfProfile(profile) !== collection) return errorResponse(c, "not_found", PROFILE_NOT_FOUND);
    const { spaceId } = access;
    return c.json(render.value(profile, { reader, now: clock.now(), url: url.pathname + url.search, traitClassOf: (key) => deps.traitClasses(spaceId).get(key) }));
  }
  for (const prefix of PREFIXES) {
    app.get(`${prefix}/:space/collections/:collection/profiles/:id/:resource`, lookup);
    app.get(`${prefix}/:space/collections/*`, lookup);
  }
  return app;
}

// src/api/request-context.ts
import { randomUUID } from "node:crypto";
var SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
function requestContext(root) {
  return async (c, next) => {
    const given = c.req.header("x-request-id");
    const requestId = given !== void 0 && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    c.set("requestId", requestId);
    const log = root.child({ reqId: requestId });
    c.set("log", log);
    c.header("Request-Id", requestId);
    const started = performance.now();
    await next();
    if (log.isLevelEnabled("debug")) {
      log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 }, "request");
    }
  };
}

// src/api/tracking-app.ts
import { Hono as Hono6 } from "hono";
import { cors } from "hono/cors";

// src/ingest/tracking-route.ts
var TRACKING_ROUTE_PATHS = /* @__PURE__ */ new Map([
  ["track", "track"],
  ["t", "track"],
  ["identify", "identify"],
  ["i", "identify"],
  ["page", "page"],
  ["p", "page"],
  ["screen", "screen"],
  ["s", "screen"],
  ["group", "group"],
  ["g", "group"],
  ["alias", "alias"],
  ["a", "alias"],
  ["batch", "batch"],
  ["b", "batch"],
  ["import", "batch"]
]);
function trackingRouteFromPath(segment) {
  return TRACKING_ROUTE_PATHS.get(segment);
}

// src/api/tracking-app.ts
var RETRY_AFTER_SECONDS = "1";
function createTrackingApp(deps) {
  const app = new Hono6();
  app.use("/v1/:route", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], allowHeaders: ["Content-Type", "Authorization", "Content-Encoding"], maxAge: 86400 }));
  app.post("/v1/:route", async (c) => {
    const route = trackingRouteFromPath(c.req.param("route"));
    if (route === void 0) return errorResponse(c, "not_found", `There is no tracking endpoint /v1/${c.req.param("route")}.`);
    const headerKey = basicUser(c.req.header("authorization"));
    const fromHeader = headerKey === void 0 ? void 0 : deps.spaces.byWriteKey(headerKey);
    if (headerKey !== void 0 && fromHeader === void 0) return errorResponse(c, "unauthorized", "The write key is not known.");
    const body = await readBodyText(c.req.raw, MAX_REQUEST_BYTES, c.env?.incoming);
    const receivedAt = deps.clock.now();
    const parsed = parseTrackingRequest({ route, body, receivedAt });
    if (!parsed.ok) return errorResponse(c, parsed.error.code, parsed.error.message);
    const bodyKey = parsed.value.writeKey;
    const found = fromHeader ?? (bodyKey === void 0 ? void 0 : deps.spaces.byWriteKey(bodyKey));
    if (found === void 0) {
      const reason = bodyKey === void 0 ? "No write key: send it as the Basic auth user name or as `writeKey` in the body." : "The write key is not known.";
      return errorResponse(c, "unauthorized", reason);
    }
    try {
      const outcome = await deps.ingest.ingest({ space: found.space, source: found.source, items: parsed.value.items, receivedAt });
      if (outcome.accepted === 0 && outcome.duplicates === 0 && outcome.rejected.length > 0) {
        if (route !== "batch") {
          const only = outcome.rejected[0];
          return errorResponse(c, only.code, only.message);
        }
        const reasons = outcome.rejected.map((r) => `item ${r.index}: ${r.code} (${r.message})`);
        return errorResponse(c, "all_items_rejected", `All ${outcome.rejected.length} items were rejected: ${reasons.slice(0, 20).join("; ")}${reasons.length > 20 ? "; \u2026" : ""}`);
      }
      return c.json(outcome.rejected.length > 0 ? { success: true, rejected: outcome.rejected } : { success: true });
    } catch (error) {
      if (error instanceof AppError && error.code === "overloaded") {
        return errorResponse(c, "overloaded", error.message, { "Retry-After": RETRY_AFTER_SECONDS });
      }
      throw error;
    }
  });
  return app;
}

// src/shared/clock.ts
function createSystemClock() {
  return { kind: "system", now: () => Date.now() };
}
function createManualClock(start) {
  let current = start;
  return {
    kind: "manual",
    now: () => current,
    set(to) {
      if (to < current) return false;
      current = to;
      return true;
    }
  };
}

// src/store/data-dir-lock.ts
import { randomUUID as randomUUID2 } from "node:crypto";
import { linkSync, mkdirSync, readFileSync as readFileSync2, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve as resolve2 } from "node:path";
var DataDirLockedError = class extends Error {
  constructor(dataDir, lockPath, holder) {
    super(
      `data directory ${dataDir} is in use by another Troupe engine (pid ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}). Two engines on one data directory lose acknowledged events: stop that one first. If no such process is running, delete ${lockPath}.`
    );
    this.dataDir = dataDir;
    this.lockPath = lockPath;
    this.holder = holder;
    this.name = "DataDirLockedError";
  }
  dataDir;
  lockPath;
  holder;
};
var LOCK_FILE = "troupe.lock";
var heldHere = /* @__PURE__ */ new Set();
function lockDataDir(dataDir) {
  const dir = resolve2(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const mine = {
    pid: process.pid,
    startTicks: startTicksOf(process.pid),
    hostname: hostname(),
    startedAt: (/* @__PURE__ */ new Date()).toISOString(),
    token: randomUUID2()
  };
  for (let round = 0; round < 5; round++) {
    if (tryCreate(path, mine)) {
      heldHere.add(path);
      return { path, release: () => release(path, mine.token) };
    }
    const holder = readHolder(path);
    if (holder === "missing") continue;
    if (holder !== "unreadable" && isAlive(holder, path)) throw new DataDirLockedError(dir, path, holder);
    takeOverStale(path, holder);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}
function tryCreate(path, holder) {
  const aside = `${path}.${holder.token}`;
  writeFileSync(aside, `${JSON.stringify(holder)}
`, { flag: "wx" });
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    throw error;
  } finally {
    unlinkSync(aside);
  }
}
function readHolder(path) {
  let text;
  try {
    text = readFileSync2(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return "missing";
    throw error;
  }
  try {
    const parsed = JSON.parse(text);
    return isHolder(parsed) ? parsed : "unreadable";
  } catch {
    return "unreadable";
  }
}
function isAlive(holder, path) {
  if (holder.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (!isCode(error, "EPERM")) return false;
  }
  const ticks = startTicksOf(holder.pid);
  return ticks === null || holder.startTicks === null || ticks === holder.startTicks;
}
function takeOverStale(path, judged) {
  const moved = `${path}.stale-${randomUUID2()}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if (isCode(error, "ENOENT")) return;
    throw error;
  }
  const found = readHolder(moved);
  const same = judged === "unreadable" ? found === "unreadable" : typeof found === "object" && found.token === judged.token;
  if (!same) {
    try {
      linkSync(moved, path);
    } catch (error) {
      if (!isCode(error, "EEXIST")) throw error;
    }
  }
  unlinkSync(moved);
}
function release(path, token) {
  if (!heldHere.has(path)) return;
  heldHere.delete(path);
  const holder = readHolder(path);
  if (typeof holder === "object" && holder.token === token) unlinkSync(path);
}
function startTicksOf(pid) {
  try {
    const stat = readFileSync2(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
function isHolder(value) {
  if (typeof value !== "object" || value === null) return false;
  const v = value;
  return Number.isSafeInteger(v["pid"]) && (typeof v["startTicks"] === "string" || v["startTicks"] === null) && typeof v["hostname"] === "string" && typeof v["startedAt"] === "string" && typeof v["token"] === "string";
}
function isCode(error, code) {
  return typeof error === "object" && error !== null && error.code === code;
}

// src/store/engine-store.ts
import { mkdirSync as mkdirSync2 } from "node:fs";
import { join as join2 } from "node:path";
import { open } from "lmdb";
function openEngineStore(dataDir) {
  mkdirSync2(dataDir, { recursive: true });
  const root = open({
    path: join2(dataDir, "troupe.mdb"),
    // Shards append events concurrently; a generous map avoids resize pauses. Sparse on disk.
    mapSize: 64 * 1024 ** 3,
    // Named databases: 16 today; room to grow without a migration (LMDB's default is 12).
    maxDbs: 32,
    // Records: msgpackr encodes repeated object shapes once per database, not once per value.
    sharedStructuresKey: /* @__PURE__ */ Symbol.for("structures")
  });
  const profiles = root.openDB({ name: "profiles", encoding: "msgpack", sharedStructuresKey: /* @__PURE__ */ Symbol.for("structures") });
  const events = root.openDB({ name: "events", encoding: "msgpack", sharedStructuresKey: /* @__PURE__ */ Symbol.for("structures") });
  const timers = root.openDB({ name: "timers", encoding: "msgpack" });
  const dedup = root.openDB({ name: "dedup", encoding: "msgpack" });
  const dedupExpiry = root.openDB({ name: "dedup-expiry", encoding: "msgpack" });
  const identity = root.openDB({ name: "identity", encoding: "msgpack" });
  const graphProfiles = root.openDB({ name: "graph-profiles", encoding: "msgpack", sharedStructuresKey: /* @__PURE__ */ Symbol.for("structures") });
  const insights = root.openDB({ name: "insights", encoding: "msgpack" });
  const graphUpdates = root.openDB({ name: "graph-updates", encoding: "msgpack" });
  const suppressions = root.openDB({ name: "suppressions", encoding: "msgpack" });
  const meta = root.openDB({ name: "meta", encoding: "msgpack" });
  const definitions = root.openDB({ name: "definitions", encoding: "msgpack" });
  const compute = root.openDB({ name: "compute", encoding: "msgpack", sharedStructuresKey: /* @__PURE__ */ Symbol.for("structures") });
  const definitionSizes = root.openDB({ name: "definition-sizes", encoding: "msgpack" });
  const computeSets = root.openDB({ name: "compute-sets", encoding: "msgpack" });
  return {
    root,
    profiles,
    events,
    timers,
    dedup,
    dedupExpiry,
    identity,
    graphProfiles,
    insights,
    graphUpdates,
    suppressions,
    meta,
    definitions,
    compute,
    definitionSizes,
    computeSets,
    close: () => root.close()
  };
}

// src/runtime/definition-registry.ts
import { randomUUID as randomUUID3 } from "node:crypto";

// src/definitions/definition-key.ts
var MAX_DEFINITION_KEY_LENGTH = 120;
var KEY_SHAPE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
function deriveDefinitionKey(name2) {
  const latin = name2.normalize("NFKD").replace(/\p{M}/gu, "");
  const words = latin.toLowerCase().match(/[a-z]+|[0-9]+/g) ?? [];
  return words.join("_").slice(0, MAX_DEFINITION_KEY_LENGTH).replace(/_+$/, "");
}
function isValidDefinitionKey(key) {
  return key.length <= MAX_DEFINITION_KEY_LENGTH && KEY_SHAPE.test(key);
}

// src/definitions/definition-lifecycle.machine.ts
import { assign, initialTransition, setup, transition } from "xstate";
var definitionLifecycleMachine = setup({
  types: { context: {}, events: {} },
  actions: {
    startProgress: assign({ progress: 0, reason: void 0 }),
    recordProgress: assign({ progress: ({ context, event }) => event.type === "backfill.progressed" ? Math.min(1, Math.max(context.progress, event.progress)) : context.progress }),
    completeProgress: assign({ progress: 1 }),
    recordFailure: assign({ reason: ({ event }) => event.type === "backfill.failed" ? event.reason : void 0 })
  }
}).createMachine({
  id: "definitionLifecycle",
  initial: "Preparing",
  context: { progress: 0, reason: void 0 },
  on: {
    "definition.disabled": { target: ".Disabled" },
    "backfill.requested": { target: ".Preparing", actions: "startProgress" },
    "backfill.skipped": { target: ".Live", actions: "completeProgress" }
  },
  states: {
    Preparing: {
      on: {
        "backfill.started": { target: "Computing", actions: "startProgress" },
        "backfill.failed": { target: "Failed", actions: "recordFailure" }
      }
    },
    Computing: {
      on: {
        // A backfill interrupted by a restart starts over.
        "backfill.started": { actions: "startProgress" },
        "backfill.progressed": { actions: "recordProgress" },
        "backfill.completed": { target: "Live", actions: "completeProgress" },
        "backfill.failed": { target: "Failed", actions: "recordFailure" }
      }
    },
    Live: {},
    Failed: {},
    Disabled: {
      on: {
        "definition.enabled": [
          { guard: ({ event }) => event.backfill, target: "Preparing", actions: "startProgress" },
          { target: "Live" }
        ]
      }
    }
  }
});
function initialLifecycle() {
  const [snapshot] = initialTransition(definitionLifecycleMachine);
  return lifecycleOf(snapshot.value, snapshot.context);
}
function stepLifecycle(current, event) {
  const snapshot = definitionLifecycleMachine.resolveState({
    value: current.status,
    context: { progress: current.progress ?? 0, reason: current.reason }
  });
  const [next] = transition(definitionLifecycleMachine, snapshot, event);
  return lifecycleOf(next.value, next.context);
}
function lifecycleOf(status, context) {
  if (status === "Computing") return { status, progress: context.progress };
  if (status === "Failed") return { status, reason: context.reason ?? "unknown failure" };
  return { status };
}

// src/definitions/definition-error.ts
var MAX_DEFINITION_LENGTH = 2e4;
var MAX_PRIMARY_EXPRESSIONS = 50;
var MAX_NESTING_DEPTH = 32;
function definitionError(at, text) {
  return { message: `line ${at.line}, column ${at.column}: ${text}`, line: at.line, column: at.column };
}
function fail2(at, text) {
  return err(definitionError(at, text));
}
function describePosition(at) {
  return `line ${at.line}, column ${at.column}`;
}
function formatCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// src/definitions/describe.ts
var JUNCTION_KEYWORDS = ["AND", "OR", "NOT", "ANY", "ALL"];
function keywordOf(token) {
  if (token.kind !== "identifier" || token.name.length > 3 || token.name.length < 2) return void 0;
  const upper = token.name.toUpperCase();
  return JUNCTION_KEYWORDS.find((k) => k === upper);
}
var MAX_SHOWN = 40;
function quoteString(value) {
  const chars = Array.from(value);
  const shown = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN).join("")}\u2026` : value;
  const escaped = shown.replace(
    /[\\']|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => c === "\\" || c === "'" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
  return `'${escaped}'`;
}
function quoteName(name2) {
  return name2.length > MAX_SHOWN ? `'${name2.slice(0, MAX_SHOWN)}\u2026'` : `'${name2}'`;
}
function describeToken(token) {
  switch (token.kind) {
    case "identifier": {
      const keyword = keywordOf(token);
      return keyword === void 0 ? `the name ${quoteName(token.name)}` : keyword;
    }
    case "string":
      return `the string ${quoteString(token.value)}`;
    case "number":
      return `the number ${token.raw}`;
    case "punct":
      return `'${token.symbol}'`;
    case "end":
      return "the end of the definition";
    default:
      return assertNever(token);
  }
}

// src/definitions/check-arguments.ts
var USAGE = {
  event: "event('Order Completed')",
  trait: "trait('plan')",
  property: "property('price')",
  context: "context('page.url')",
  literal: "literal(100)",
  where: "where(property('price') > 100)",
  sources: "sources({exclude: 'source-id'})",
  within: "within(7 days)",
  between: "between(7 days, 30 days)",
  count: "count()",
  sum: "sum(property('price'))",
  avg: "avg(property('price'))",
  min: "min(property('price'))",
  max: "max(property('price'))",
  mode: "mode(property('plan'), 2)",
  first: "first(property('plan'))",
  last: "last(property('plan'))",
  unique: "unique(property('sku'))",
  equals: "equals('pro')",
  differs: "differs('pro')",
  greater_than: "greater_than(100)",
  at_least: "at_least(100)",
  less_than: "less_than(100)",
  at_most: "at_most(100)",
  absent: "absent()",
  exists: "exists()",
  contains: "contains('shoes', 'shirts')",
  omits: "omits('shoes')",
  starts_with: "starts_with('total')",
  ends_with: "ends_with('total')",
  one_of: "one_of('shoes', 'shirts')",
  before_date: "before_date('2023-12-07T18:50:00Z')",
  after_date: "after_date('2023-12-07T18:50:00Z')",
  within_last: "within_last(7 days)",
  within_next: "within_next(7 days)",
  before_last: "before_last(7 days)",
  after_next: "after_next(7 days)"
};
function usageOf(name2) {
  return USAGE[name2] ?? `${name2}(\u2026)`;
}
var UNITS = {
  hour: { unit: "hours", ms: 36e5 },
  hours: { unit: "hours", ms: 36e5 },
  day: { unit: "days", ms: 864e5 },
  days: { unit: "days", ms: 864e5 }
};
var MAX_DURATION_MS = 864e13;
function describeExpr(expr) {
  switch (expr.kind) {
    case "and":
    case "or":
    case "not":
    case "quantified":
      return "a condition";
    case "group":
      return `a parenthesized ${describeExpr(expr.inner).replace(/^an? /, "")}`;
    case "chain":
      return describeChain(expr);
    default:
      return assertNever(expr);
  }
}
function describeChain(chain) {
  if (chain.sugar !== void 0) return "a comparison";
  const head = chain.head.kind === "literal" ? describeLiteral(chain.head) : describeCall(chain.head);
  const last = chain.calls[chain.calls.length - 1];
  return last === void 0 ? head : `${head}\u2026${last.name}(\u2026)`;
}
function describeLiteral(literal) {
  const { value } = literal;
  if (typeof value === "string") return `the string ${quoteString(value)}`;
  if (typeof value === "number") return `the number ${literal.text}`;
  return String(value);
}
function describeCall(call) {
  const only = call.args.length === 1 ? call.args[0] : void 0;
  if (only !== void 0) {
    const inner = only.kind === "labeled" ? only.value : only;
    const literal = inner.kind === "expr" && inner.as === void 0 ? literalOf(inner.expr) : void 0;
    if (literal !== void 0 && typeof literal.value === "string") {
      const label2 = only.kind === "labeled" ? `${only.label}: ` : "";
      return `${call.name}(${label2}${quoteString(literal.value)})`;
    }
  }
  return call.args.length === 0 ? `${call.name}()` : `${call.name}(\u2026)`;
}
function describeArg(arg) {
  switch (arg.kind) {
    case "expr":
      return arg.as === void 0 ? describeExpr(arg.expr) : `${describeExpr(arg.expr)} as ${arg.as.type}`;
    case "duration":
      return `the duration ${arg.amountText} ${arg.unit}`;
    case "labeled":
      return `'${arg.label}:'`;
    case "braced":
      return "a { \u2026 } block";
    case "list":
      return "a [ \u2026 ] list";
    default:
      return assertNever(arg);
  }
}
function literalOf(expr) {
  if (expr.kind !== "chain" || expr.calls.length > 0 || expr.sugar !== void 0) return void 0;
  return expr.head.kind === "literal" ? expr.head : void 0;
}
function argumentCountError(call, wanted) {
  const n = call.args.length;
  const found = n === 0 ? "none" : `${formatCount(n)} argument${n === 1 ? "" : "s"}`;
  const at = call.args[0]?.at ?? call.at;
  return fail2(at, `${call.name} takes ${wanted}, as in ${usageOf(call.name)}; found ${found}`);
}
function wrongArgument(call, arg, wanted, at = arg.at) {
  return fail2(at, `${call.name} takes ${wanted}, as in ${usageOf(call.name)}; found ${describeArg(arg)}`);
}
function plainExpr(call, arg, wanted) {
  if (arg.kind !== "expr") return wrongArgument(call, arg, wanted);
  if (arg.as !== void 0) return fail2(arg.as.at, `'as ${arg.as.type}' only follows the argument of min, max or mode`);
  return ok(arg.expr);
}
function stringArgument(call, arg, wanted) {
  const expr = plainExpr(call, arg, wanted);
  if (!expr.ok) return expr;
  const literal = literalOf(expr.value);
  if (literal === void 0 || typeof literal.value !== "string") return wrongArgument(call, arg, wanted);
  if (literal.value.length === 0) return fail2(arg.at, `${call.name} needs a non-empty string, as in ${usageOf(call.name)}`);
  return ok(literal.value);
}
function checkPath(name2, at, path) {
  if (path.split(".").some((part) => part.length === 0)) {
    return fail2(at, `${name2}(${quoteString(path)}) has an empty part in its path: separate the parts with single dots, as in ${name2}('page.url')`);
  }
  return ok(path);
}
function durationArgument(call, arg, minimum) {
  const wanted = "a duration in hours or days";
  if (arg.kind !== "duration") {
    const literal = arg.kind === "expr" ? literalOf(arg.expr) : void 0;
    if (literal !== void 0 && typeof literal.value === "number") {
      return fail2(arg.at, `${call.name} takes ${wanted}, as in ${usageOf(call.name)}; add a unit after ${literal.text} (hours or days)`);
    }
    return wrongArgument(call, arg, wanted);
  }
  const unit = UNITS[arg.unit.toLowerCase()];
  if (unit === void 0) {
    return fail2(arg.unitAt, `unknown time unit ${quoteName(arg.unit)} in ${call.name}: use hour, hours, day or days`);
  }
  if (!Number.isInteger(arg.amount) || arg.amount < minimum) {
    const what = minimum === 0 ? "a whole number of hours or days, 0 or more" : "a positive whole number of hours or days";
    return fail2(arg.at, `${call.name} takes ${what}, found ${arg.amountText} ${arg.unit}`);
  }
  const ms = arg.amount * unit.ms;
  if (ms > MAX_DURATION_MS) return fail2(arg.at, `the duration ${arg.amountText} ${arg.unit} in ${call.name} is too long (at most 100,000,000 days)`);
  return ok({ amount: arg.amount, unit: unit.unit, ms });
}
function positiveIntegerArgument(call, arg, wanted) {
  const literal = arg.kind === "expr" && arg.as === void 0 ? literalOf(arg.expr) : void 0;
  if (literal === void 0 || typeof literal.value !== "number") return wrongArgument(call, arg, wanted);
  if (!Number.isSafeInteger(literal.value) || literal.value < 1) {
    return fail2(arg.at, `${call.name} takes ${wanted}, found ${literal.text}`);
  }
  return ok(literal.value);
}
function fieldArgument(call, arg) {
  const wanted = "a property of the event, as property('\u2026') or context('\u2026')";
  if (arg.kind !== "expr") return wrongArgument(call, arg, wanted);
  const expr = arg.expr;
  const literal = literalOf(expr);
  if (literal !== void 0) {
    if (typeof literal.value !== "string") return wrongArgument(call, arg, wanted);
    if (literal.value.length === 0) return fail2(arg.at, `${call.name} needs a non-empty property name`);
    return pathRef(arg.at, "property", literal.value);
  }
  if (expr.kind !== "chain" || expr.head.kind !== "call" || expr.calls.length > 0 || expr.sugar !== void 0) {
    return wrongArgument(call, arg, wanted);
  }
  const inner = expr.head;
  if (inner.name !== "property" && inner.name !== "context") return wrongArgument(call, arg, wanted);
  const only = inner.args[0];
  if (inner.args.length !== 1 || only === void 0) return argumentCountError(inner, `one ${inner.name === "property" ? "property name" : "path"}`);
  if (only.kind === "labeled") {
    if (inner.name === "property" && only.label === "parent") {
      return fail2(inner.at, `${call.name} reads the events of its own stream; property(parent: \u2026) is only for comparisons inside a funnel step's where(\u2026)`);
    }
    return fail2(only.at, `${inner.name} takes no label ${quoteName(`${only.label}:`)}, as in ${usageOf(inner.name)}`);
  }
  const path = stringArgument(inner, only, inner.name === "property" ? "a property name as a string" : "a path as a string");
  if (!path.ok) return path;
  return pathRef(only.at, inner.name, path.value);
}
function pathRef(at, source, path) {
  const checked = checkPath(source, at, path);
  if (!checked.ok) return checked;
  return ok({ source, path });
}
function onlyArgument(call, wanted) {
  const only = call.args[0];
  if (call.args.length !== 1 || only === void 0) return argumentCountError(call, `one argument, ${wanted}`);
  return ok(only);
}

// src/definitions/functions.ts
var EXTRACTORS = ["event", "trait", "property", "context", "literal"];
var FILTERS = ["where", "sources", "within", "between"];
var REDUCERS = ["count", "sum", "avg", "min", "max", "mode", "first", "last", "unique"];
var VALUE_COMPARATORS = ["equals", "differs", "greater_than", "at_least", "less_than", "at_most"];
var TEXT_COMPARATORS = ["contains", "omits", "starts_with", "ends_with", "one_of"];
var RELATIVE_DATE_COMPARATORS = ["within_last", "within_next", "before_last", "after_next"];
var COMPARATORS = [
  ...VALUE_COMPARATORS,
  "absent",
  "exists",
  ...TEXT_COMPARATORS,
  "before_date",
  "after_date",
  ...RELATIVE_DATE_COMPARATORS
];
function isOneOf(list, name2) {
  return list.includes(name2);
}
function roleOf(name2) {
  if (isOneOf(EXTRACTORS, name2)) return "extractor";
  if (isOneOf(FILTERS, name2)) return "filter";
  if (isOneOf(REDUCERS, name2)) return "reducer";
  if (isOneOf(COMPARATORS, name2)) return "comparator";
  return void 0;
}
function unknownFunctionMessage(name2, valid, where) {
  const shown = name2.length > 40 ? `${name2.slice(0, 40)}\u2026` : name2;
  const close = closeNames(name2, valid);
  const head = `unknown function '${shown}'${where}`;
  if (close.length > 0) return `${head}; did you mean ${joinAlternatives(close)}?`;
  return valid.length === 1 ? `${head}; expected ${valid.join("")}` : `${head}; expected one of ${valid.join(", ")}`;
}
function closeNames(name2, candidates) {
  const lower = name2.toLowerCase();
  if (lower.length > 24) return [];
  const budget = lower.length <= 4 ? 1 : 2;
  const scored = candidates.map((candidate) => ({ candidate, distance: candidate === lower ? 0 : editDistance(lower, candidate) })).filter((s) => s.distance <= budget);
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best).map((s) => s.candidate);
}
function joinAlternatives(names) {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1] ?? ""}`;
}
function editDistance(a, b) {
  const rows = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row = [];
    for (let j = 0; j <= b.length; j += 1) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const substitution = (rows[i - 1]?.[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}

// src/definitions/iso-date.ts
var ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;
function parseIsoInstant(text) {
  const m = ISO_8601.exec(text);
  if (m === null) return err("not_iso");
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offH, offM] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth2(year, month)) return err("not_a_date");
  if (h === void 0) return ok(utc(year, month, day, 0, 0, 0, 0));
  if (zulu === void 0 && sign === void 0) return err("no_zone");
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === void 0 ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return err("not_a_date");
  const ms = fraction === void 0 ? 0 : Number(`${fraction}00`.slice(0, 3));
  let offsetMinutes = 0;
  if (sign !== void 0) {
    const oh = Number(offH);
    const om = Number(offM);
    if (oh > 23 || om > 59) return err("not_a_date");
    offsetMinutes = (sign === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return ok(utc(year, month, day, hour, minute, second, ms) - offsetMinutes * 6e4);
}
function utc(year, month, day, hour, minute, second, ms) {
  return daysFromCivil(year, month, day) * 864e5 + ((hour * 60 + minute) * 60 + second) * 1e3 + ms;
}
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
function daysInMonth2(year, month) {
  if (month === 2) return year % 4 === 0 && year % 100 !== 0 || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// src/definitions/check-comparator.ts
function comparableSubject(state, what, at) {
  switch (state.kind) {
    case "stream": {
      const label2 = state.draft.label;
      return fail2(at, `${what} compares a value, but ${label2} is a stream of events: reduce it first, as in ${label2}.count() >= 1`);
    }
    case "condition":
      return fail2(at, `nothing can follow a comparison: found ${what}; join conditions with AND or OR`);
    case "value": {
      const { value, label: label2 } = state;
      if (value.kind === "aggregate" && value.reducer.kind === "unique") {
        return fail2(at, `${what} cannot compare the list that unique(\u2026) gives; only .count() can follow it, as in unique(\u2026).count() >= 1`);
      }
      if (value.kind === "literal") {
        return fail2(value.at, `${label2} cannot be the subject of a comparison: put the value to test on the left and the literal on the right, as in trait('plan') = 'pro'`);
      }
      return ok(value);
    }
    default:
      return assertNever(state);
  }
}
function checkSugar(state, sugar, subjectAt, scope, env) {
  const what = `'${sugar.symbol}'`;
  const subject = comparableSubject(state, what, sugar.at);
  if (!subject.ok) return subject;
  const operand = checkOperand(sugar.operand, `the right side of ${what}`, sugar.op, scope, env);
  if (!operand.ok) return operand;
  return comparison(subject.value, { op: sugar.op, operand: operand.value }, subjectAt, sugar.at, env);
}
function comparison(subject, comparator, at, comparatorAt, env) {
  env.recordPrimary(at);
  return ok({ kind: "condition", condition: { kind: "comparison", subject, comparator, at }, comparatorAt });
}
function checkComparatorCall(state, name2, call, subjectAt, scope, env) {
  const subject = comparableSubject(state, name2, call.at);
  if (!subject.ok) return subject;
  const done = (comparator) => comparison(subject.value, comparator, subjectAt, call.at, env);
  if (isOneOf(VALUE_COMPARATORS, name2)) {
    const only = onlyArgument(call, "a value");
    if (!only.ok) return only;
    const expr = plainExpr(call, only.value, "a value");
    if (!expr.ok) return expr;
    const operand = checkOperand(expr.value, `the argument of ${name2}`, name2, scope, env);
    if (!operand.ok) return operand;
    return done({ op: name2, operand: operand.value });
  }
  if (isOneOf(TEXT_COMPARATORS, name2)) {
    const operands = [];
    const items = call.args.length === 1 && call.args[0]?.kind === "list" ? call.args[0].args : call.args;
    for (const item of items) {
      const expr = plainExpr(call, item, "values");
      if (!expr.ok) return expr;
      const operand = checkOperand(expr.value, `an argument of ${name2}`, name2, scope, env);
      if (!operand.ok) return operand;
      operands.push(operand.value);
    }
    if (operands.length === 0) return fail2(call.at, `${name2} needs at least one value, as in ${usageOf(name2)}`);
    return done({ op: name2, operands });
  }
  if (isOneOf(RELATIVE_DATE_COMPARATORS, name2)) {
    const only = onlyArgument(call, "a duration in hours or days");
    if (!only.ok) return only;
    const duration = durationArgument(call, only.value, 1);
    if (!duration.ok) return duration;
    return done({ op: name2, duration: duration.value });
  }
  switch (name2) {
    case "absent":
    case "exists":
      if (call.args.length > 0) return argumentCountError(call, "no arguments");
      return done({ op: name2 });
    case "before_date":
    case "after_date": {
      const wanted = "an ISO-8601 date or time as a string";
      const only = onlyArgument(call, wanted);
      if (!only.ok) return only;
      const literal = only.value.kind === "expr" && only.value.as === void 0 ? literalOf(only.value.expr) : void 0;
      if (literal === void 0 || typeof literal.value !== "string") return wrongArgument(call, only.value, wanted);
      const iso = literal.value;
      const instant = parseIsoInstant(iso);
      if (instant.ok) return done({ op: name2, at: instant.value, iso });
      switch (instant.error) {
        case "not_iso":
          return wrongArgument(call, only.value, wanted);
        case "no_zone":
          return fail2(only.value.at, `${name2} needs the time zone of ${quoteString(iso)}: add Z for UTC or an offset such as +02:00`);
        case "not_a_date":
          return fail2(only.value.at, `${quoteString(iso)} is not a real date and time (check the month, day, hour and minute)`);
        default:
          return assertNever(instant.error);
      }
    }
    default:
      return assertNever(name2);
  }
}
function checkOperand(expr, what, op, scope, env) {
  const allowed = scope.where === "none" ? "a literal or trait(\u2026)" : "a literal, trait(\u2026), property(\u2026) or context(\u2026)";
  if (expr.kind !== "chain") return fail2(expr.at, `${what} must be ${allowed}, not a condition`);
  const state = env.chain(expr, scope);
  if (!state.ok) return state;
  switch (state.value.kind) {
    case "stream":
      return fail2(expr.at, `${what} must be ${allowed}, not a stream of events (${state.value.draft.label})`);
    case "condition":
      return fail2(expr.at, `${what} must be ${allowed}, not a condition`);
    case "value": {
      const { value, label: label2 } = state.value;
      if (value.kind === "aggregate") {
        return fail2(expr.at, `${what} cannot be an aggregate such as event(${quoteString(value.stream.event)}).${label2}: compare against ${allowed}`);
      }
      if (value.kind === "literal") return literalOperand2(value, label2, what, op, expr.at);
      return ok(value);
    }
    default:
      return assertNever(state.value);
  }
}
function literalOperand2(value, label2, what, op, at) {
  if (value.value === null) return fail2(at, `${what} cannot be null: a missing value never compares; test it with absent() or exists()`);
  const ordering = ["greater_than", "at_least", "less_than", "at_most"];
  if (typeof value.value === "boolean" && ordering.includes(op)) {
    return fail2(at, `${what} must be a number or a string to order by, found ${label2}`);
  }
  return ok(value);
}

// src/definitions/check-stream.ts
function checkFilter(draft, call, scope, env) {
  const name2 = call.name;
  if (!isOneOf(FILTERS, name2)) return fail2(call.at, unknownFunctionMessage(name2, FILTERS, ""));
  switch (name2) {
    case "where": {
      const [first, ...rest] = call.args;
      const inner = first?.kind === "braced" && rest.length === 0 ? first.args : call.args;
      const only = inner[0];
      if (inner.length !== 1 || only === void 0) {
        const several = inner.length > 1 ? " (join several conditions with AND)" : "";
        return fail2(inner[0]?.at ?? call.at, `where takes one condition, as in ${usageOf("where")}; found ${inner.length === 0 ? "none" : `${inner.length} arguments`}${several}`);
      }
      const expr = plainExpr(call, only, "a condition");
      if (!expr.ok) return expr;
      const whereScope = {
        where: draft.parentLabel === void 0 ? "stream" : "step",
        streamLabel: draft.label,
        underQuantifier: scope.underQuantifier,
        needs: "where(\u2026) takes a condition"
      };
      const condition = env.condition(expr.value, whereScope);
      if (!condition.ok) return condition;
      draft.where.push(condition.value);
      return ok({ kind: "stream", draft });
    }
    case "sources": {
      const ids = checkSources(call);
      if (!ids.ok) return ids;
      for (const id of ids.value) if (!draft.excludeSources.includes(id)) draft.excludeSources.push(id);
      return ok({ kind: "stream", draft });
    }
    case "within": {
      const only = onlyArgument(call, "a duration, as in within(7 days), or parent: and a duration");
      if (!only.ok) return only;
      const arg = only.value;
      if (arg.kind === "labeled") {
        if (arg.label !== "parent") return fail2(arg.at, `within takes no label ${quoteName(`${arg.label}:`)}; a funnel step's window is written within(parent: 1 days)`);
        const duration2 = durationArgument(call, arg.value, 1);
        if (!duration2.ok) return duration2;
        if (draft.parentLabel === void 0) {
          return fail2(
            call.at,
            "within(parent: \u2026) is only for a funnel step (a stream inside another stream's where(\u2026)); for a window back from now write within(N days)"
          );
        }
        return setWindow(draft, call, { kind: "parent", duration: duration2.value });
      }
      const duration = durationArgument(call, arg, 1);
      if (!duration.ok) return duration;
      if (draft.parentLabel !== void 0) return stepWindowError(draft, call);
      return setWindow(draft, call, { kind: "within", duration: duration.value });
    }
    case "between": {
      const [startArg, endArg] = call.args;
      if (call.args.length !== 2 || startArg === void 0 || endArg === void 0) return argumentCountError(call, "two durations");
      const start = durationArgument(call, startArg, 0);
      if (!start.ok) return start;
      const end = durationArgument(call, endArg, 1);
      if (!end.ok) return end;
      if (start.value.ms >= end.value.ms) {
        return fail2(startArg.at, `between takes its nearer edge first: ${describeDuration(start.value)} must be less than ${describeDuration(end.value)}`);
      }
      if (draft.parentLabel !== void 0) return stepWindowError(draft, call);
      return setWindow(draft, call, { kind: "between", start: start.value, end: end.value });
    }
    default:
      return assertNever(name2);
  }
}
function describeDuration(d) {
  return `${d.amount} ${d.unit}`;
}
function stepWindowError(draft, call) {
  const parent = draft.parentLabel ?? "its parent";
  return fail2(call.at, `${draft.label} is a funnel step of ${parent}, so its window is within(parent: N days), measured from ${parent}`);
}
function setWindow(draft, call, window) {
  if (draft.window !== void 0) return fail2(call.at, `${draft.label} already has a time window; a stream takes at most one`);
  draft.window = window;
  return ok({ kind: "stream", draft });
}
function checkSources(call) {
  const [first, ...rest] = call.args;
  const args = first?.kind === "braced" && rest.length === 0 ? first.args : call.args;
  const [label2, ...more] = args;
  if (label2 === void 0) return argumentCountError(call, "exclude: and at least one source id");
  if (label2.kind !== "labeled" || label2.label !== "exclude") return wrongArgument(call, label2, "exclude: and the source ids to drop");
  const ids = [];
  for (const arg of [label2.value, ...more]) {
    const items = arg.kind === "list" ? arg.args : [arg];
    for (const item of items) {
      const id = stringArgument(call, item, "source ids as strings");
      if (!id.ok) return id;
      ids.push(id.value);
    }
  }
  if (ids.length === 0) return fail2(label2.at, `sources needs at least one source id after exclude:, as in ${usageOf("sources")}`);
  return ok(ids);
}
function checkReducer(draft, name2, call) {
  const stream = finishStream(draft);
  if (!stream.ok) return stream;
  const aggregate = (reducer, label2) => ok({ kind: "value", value: { kind: "aggregate", stream: stream.value, reducer, at: draft.at }, label: label2 });
  const [fieldArg, secondArg] = call.args;
  switch (name2) {
    case "count":
      if (call.args.length > 0) {
        return fail2(call.args[0]?.at ?? call.at, "count takes no arguments; to count distinct values write unique(property('\u2026')).count()");
      }
      return aggregate({ kind: "count" }, "count()");
    case "sum":
    case "avg":
    case "first":
    case "last":
    case "unique": {
      if (call.args.length !== 1 || fieldArg === void 0) return argumentCountError(call, "one property");
      if (fieldArg.kind === "expr" && fieldArg.as !== void 0) return fail2(fieldArg.as.at, `'as ${fieldArg.as.type}' only follows the argument of min, max or mode`);
      const field = fieldArgument(call, fieldArg);
      if (!field.ok) return field;
      return aggregate({ kind: name2, field: field.value }, `${name2}(\u2026)`);
    }
    case "min":
    case "max": {
      if (call.args.length !== 1 || fieldArg === void 0) return argumentCountError(call, "one property");
      const field = fieldArgument(call, fieldArg);
      if (!field.ok) return field;
      const as = asType(call, fieldArg, ["number", "string"], "number");
      if (!as.ok) return as;
      return aggregate({ kind: name2, field: field.value, as: as.value }, `${name2}(\u2026)`);
    }
    case "mode": {
      if (fieldArg === void 0) return argumentCountError(call, "a property and a minimum frequency");
      const field = fieldArgument(call, fieldArg);
      if (!field.ok) return field;
      const as = asType(call, fieldArg, ["string", "number", "array"], "string");
      if (!as.ok) return as;
      if (secondArg === void 0) {
        return fail2(call.end, `mode needs a minimum frequency as its second argument, as in ${usageOf("mode")}`);
      }
      if (call.args.length > 2) return argumentCountError(call, "a property and a minimum frequency");
      const minFrequency = positiveIntegerArgument(call, secondArg, "a minimum frequency that is a positive whole number");
      if (!minFrequency.ok) return minFrequency;
      return aggregate({ kind: "mode", field: field.value, as: as.value, minFrequency: minFrequency.value }, "mode(\u2026)");
    }
    default:
      return assertNever(name2);
  }
}
function asType(call, arg, allowed, fallback) {
  if (arg.kind !== "expr" || arg.as === void 0) return ok(fallback);
  const written = arg.as.type.toLowerCase();
  const found = allowed.find((t) => t === written);
  if (found === void 0) {
    return fail2(arg.as.at, `${call.name} takes ${joinAlternatives(allowed.map((t) => `'as ${t}'`))}, found 'as ${arg.as.type}'`);
  }
  return ok(found);
}
function finishStream(draft) {
  if (draft.parentLabel !== void 0 && draft.window?.kind !== "parent") {
    return fail2(
      draft.at,
      `${draft.label} is inside the where(\u2026) of ${draft.parentLabel}, so it is a funnel step and needs .within(parent: N days) before its reducer (how long after ${draft.parentLabel} it may happen)`
    );
  }
  return ok({ event: draft.event, where: draft.where, excludeSources: draft.excludeSources, window: draft.window, at: draft.at });
}

// src/definitions/check-chain.ts
function checkChain(chain, scope, env) {
  let state = checkHead(chain.head, scope);
  for (const call of chain.calls) {
    if (!state.ok) return state;
    state = checkCall(state.value, call, chain.at, scope, env);
  }
  if (!state.ok || chain.sugar === void 0) return state;
  return checkSugar(state.value, chain.sugar, chain.at, scope, env);
}
function labelOf(state) {
  switch (state.kind) {
    case "stream":
      return state.draft.label;
    case "value":
      return state.label;
    case "condition":
      return "a comparison";
    default:
      return assertNever(state);
  }
}
function checkHead(head, scope) {
  if (head.kind === "literal") {
    return ok({ kind: "value", value: { kind: "literal", value: head.value, at: head.at }, label: describeLiteral(head) });
  }
  const name2 = head.name;
  const role = roleOf(name2);
  switch (role) {
    case "extractor":
      return checkExtractor(head, scope);
    case "filter":
    case "reducer":
      return fail2(head.at, `${name2} must follow a stream of events, as in event('Order Completed').${usageOf(name2)}`);
    case "comparator":
      return fail2(head.at, `${name2} must follow a value, as in trait('plan').${usageOf(name2)}`);
    case void 0:
      return fail2(head.at, unknownFunctionMessage(name2, EXTRACTORS, ""));
    default:
      return assertNever(role);
  }
}
function checkExtractor(call, scope) {
  const name2 = call.name;
  if (!isOneOf(EXTRACTORS, name2)) return fail2(call.at, unknownFunctionMessage(name2, EXTRACTORS, ""));
  switch (name2) {
    case "event": {
      if (scope.where === "step") {
        return fail2(
          call.at,
          `funnels nest one level: a stream cannot be a step of ${scope.streamLabel ?? "a stream"}, which is itself a funnel step`
        );
      }
      const only = onlyArgument(call, "the event name as a string");
      if (!only.ok) return only;
      const event = stringArgument(call, only.value, "the event name as a string");
      if (!event.ok) return event;
      const draft = {
        event: event.value,
        where: [],
        excludeSources: [],
        window: void 0,
        at: call.at,
        label: `event(${quoteString(event.value)})`,
        parentLabel: scope.where === "stream" ? scope.streamLabel : void 0
      };
      return ok({ kind: "stream", draft });
    }
    case "trait": {
      const only = onlyArgument(call, "the trait key as a string");
      if (!only.ok) return only;
      const key = stringArgument(call, only.value, "the trait key as a string");
      if (!key.ok) return key;
      return ok({ kind: "value", value: { kind: "trait", key: key.value, at: call.at }, label: `trait(${quoteString(key.value)})` });
    }
    case "property":
      return checkProperty(call, scope);
    case "context": {
      if (scope.where === "none") return fail2(call.at, eventFieldOutsideWhere("context", "context('page.url') = 'https://example.com'"));
      const only = onlyArgument(call, "a path as a string");
      if (!only.ok) return only;
      const path = stringArgument(call, only.value, "a path as a string");
      if (!path.ok) return path;
      const checked = checkPath("context", only.value.at, path.value);
      if (!checked.ok) return checked;
      return ok({ kind: "value", value: { kind: "context", path: path.value, at: call.at }, label: `context(${quoteString(path.value)})` });
    }
    case "literal": {
      const wanted = "a string, a number, true, false or null";
      const only = onlyArgument(call, wanted);
      if (!only.ok) return only;
      const arg = only.value;
      const literal = arg.kind === "expr" && arg.as === void 0 ? literalOf(arg.expr) : void 0;
      if (literal === void 0) return wrongArgument(call, arg, wanted);
      return ok({ kind: "value", value: { kind: "literal", value: literal.value, at: call.at }, label: `literal(${literal.text})` });
    }
    default:
      return assertNever(name2);
  }
}
function eventFieldOutsideWhere(name2, example) {
  return `${name2}(\u2026) reads a field of an event, so it is only allowed inside where(\u2026) or as a reducer's argument, as in event('Order Completed').where(${example})`;
}
function checkProperty(call, scope) {
  if (scope.where === "none") return fail2(call.at, eventFieldOutsideWhere("property", "property('total') > 100"));
  const only = onlyArgument(call, "a property name as a string");
  if (!only.ok) return only;
  let arg = only.value;
  let parent = false;
  if (arg.kind === "labeled") {
    if (arg.label !== "parent") return fail2(arg.at, `property takes no label ${quoteName(`${arg.label}:`)}; it takes a name, as in property('price'), or parent: and a name, as in property(parent: 'price')`);
    if (scope.where !== "step") {
      return fail2(
        call.at,
        "property(parent: \u2026) reads the parent event of a funnel step, so it is only allowed inside the where(\u2026) of a stream that is itself inside another stream's where(\u2026)"
      );
    }
    parent = true;
    arg = arg.value;
  }
  const path = stringArgument(call, arg, "a property name as a string");
  if (!path.ok) return path;
  const checked = checkPath("property", arg.at, path.value);
  if (!checked.ok) return checked;
  const label2 = `property(${parent ? "parent: " : ""}${quoteString(path.value)})`;
  return ok({ kind: "value", value: { kind: "property", path: path.value, scope: parent ? "parent" : "event", at: call.at }, label: label2 });
}
function checkCall(state, call, subjectAt, scope, env) {
  const name2 = call.name;
  const role = roleOf(name2);
  if (role === "extractor") return fail2(call.at, `${name2}(\u2026) starts an expression and cannot follow '.'`);
  switch (state.kind) {
    case "stream": {
      const label2 = state.draft.label;
      if (role === "filter") return checkFilter(state.draft, call, scope, env);
      if (role === "reducer" && isOneOf(REDUCERS, name2)) return checkReducer(state.draft, name2, call);
      if (role === "comparator") {
        return fail2(call.at, `${name2} compares a value, but ${label2} is a stream of events: reduce it first, as in ${label2}.count().${name2}(\u2026)`);
      }
      return fail2(call.at, unknownFunctionMessage(name2, [...FILTERS, ...REDUCERS], ` after ${label2}`));
    }
    case "value": {
      const { value, label: label2 } = state;
      if (value.kind === "aggregate" && value.reducer.kind === "unique") {
        if (name2 === "count") {
          if (call.args.length > 0) return argumentCountError(call, "no arguments");
          const reducer = { kind: "unique_count", field: value.reducer.field };
          return ok({ kind: "value", value: { ...value, reducer }, label: `${label2}.count()` });
        }
        if (role === void 0) return fail2(call.at, unknownFunctionMessage(name2, ["count"], ` after ${label2}`));
        return fail2(call.at, `${name2} cannot follow ${label2}: unique(\u2026) gives a list, and only .count() can follow it`);
      }
      if (role === "comparator" && isOneOf(COMPARATORS, name2)) return checkComparatorCall(state, name2, call, subjectAt, scope, env);
      if (role === "filter" || role === "reducer") {
        if (value.kind === "aggregate") {
          const hint = role === "filter" ? `: put ${name2}(\u2026) before ${label2}` : "";
          return fail2(call.at, `${name2} cannot follow ${label2}, which already reduced the stream to one value${hint}`);
        }
        return fail2(call.at, `${name2} applies to a stream of events, but ${label2} is a single value`);
      }
      return fail2(call.at, unknownFunctionMessage(name2, COMPARATORS, ` after ${label2}`));
    }
    case "condition":
      return fail2(call.at, `nothing can follow a comparison: found .${name2}(\u2026); join conditions with AND or OR`);
    default:
      return assertNever(state);
  }
}

// src/definitions/check-definition.ts
function checkDefinition(syntax, kind, target) {
  const checker = new Checker(target);
  switch (kind) {
    case "audience": {
      const scope = { where: "none", streamLabel: void 0, underQuantifier: false, needs: "an audience must end in a condition" };
      const root = checker.condition(syntax, scope);
      if (!root.ok) return root;
      const limit = checker.checkLimit(kind);
      if (!limit.ok) return limit;
      return ok({ kind, target, root: root.value });
    }
    case "computed_trait": {
      const root = checker.rootValue(syntax);
      if (!root.ok) return root;
      checker.recordPrimary(root.value.at);
      const limit = checker.checkLimit(kind);
      if (!limit.ok) return limit;
      return ok({ kind, target, root: root.value });
    }
    default:
      return assertNever(kind);
  }
}
var Checker = class {
  constructor(target) {
    this.target = target;
  }
  target;
  primaries = [];
  chain(expr, scope) {
    return checkChain(expr, scope, this);
  }
  recordPrimary(at) {
    this.primaries.push(at);
  }
  /** Fails at the 51st primary expression in text order, giving the total. */
  checkLimit(kind) {
    const count = this.primaries.length;
    if (count <= MAX_PRIMARY_EXPRESSIONS) return ok(void 0);
    const ordered = [...this.primaries].sort((a, b) => a.line - b.line || a.column - b.column);
    const at = ordered[MAX_PRIMARY_EXPRESSIONS] ?? ordered[0] ?? { line: 1, column: 1 };
    const counted = kind === "audience" ? "each comparison counts" : "each comparison and the computed value count";
    return fail2(at, `the definition has ${formatCount(count)} primary expressions, more than the limit of ${MAX_PRIMARY_EXPRESSIONS} (${counted}); this is the ${MAX_PRIMARY_EXPRESSIONS + 1}st`);
  }
  condition(expr, scope) {
    switch (expr.kind) {
      case "group":
        return this.condition(expr.inner, scope);
      case "and":
      case "or": {
        const keyword = expr.kind === "and" ? "AND" : "OR";
        const inner = { ...scope, needs: `${keyword} joins conditions` };
        const operands = [];
        for (const operand of expr.operands) {
          const checked = this.condition(operand, inner);
          if (!checked.ok) return checked;
          operands.push(checked.value);
        }
        return ok({ kind: expr.kind, operands, at: expr.at });
      }
      case "not": {
        const operand = this.condition(expr.operand, { ...scope, needs: "NOT takes a condition" });
        if (!operand.ok) return operand;
        return ok({ kind: "not", operand: operand.value, at: expr.at });
      }
      case "quantified":
        return this.quantified(expr, scope);
      case "chain": {
        const state = checkChain(expr, scope, this);
        if (!state.ok) return state;
        const typed = state.value;
        switch (typed.kind) {
          case "condition":
            return ok(typed.condition);
          case "value":
            if (typed.value.kind === "literal") return fail2(expr.at, `expected a condition, found ${typed.label}: ${scope.needs}`);
            return fail2(expr.end, `expected a comparison after ${typed.label}, such as >= 1 or .exists(): ${scope.needs}`);
          case "stream":
            return fail2(expr.end, `${typed.draft.label} is a stream of events, not a condition: reduce and compare it, as in ${typed.draft.label}.count() >= 1`);
          default:
            return assertNever(typed);
        }
      }
      default:
        return assertNever(expr);
    }
  }
  /**
   * `ANY`/`ALL` quantify over the users of an account: only in ACCOUNTS audiences, only in the
   * top-level junctions (a `where` is about one event, not about users), and not nested.
   */
  quantified(expr, scope) {
    const keyword = expr.quantifier === "any" ? "ANY" : "ALL";
    if (this.target !== "ACCOUNTS") {
      return fail2(expr.at, `${keyword} is only for ACCOUNTS definitions (it quantifies over the users of an account); this definition's type is USERS`);
    }
    if (scope.where !== "none") return fail2(expr.at, `${keyword} is only allowed at the top level of an ACCOUNTS audience, not inside where(\u2026)`);
    if (scope.underQuantifier) return fail2(expr.at, `${keyword} cannot be nested inside another ANY or ALL`);
    const operand = this.condition(expr.operand, { ...scope, underQuantifier: true, needs: `${keyword} takes a condition` });
    if (!operand.ok) return operand;
    return ok({ kind: "quantified", quantifier: expr.quantifier, negated: expr.negated, operand: operand.value, at: expr.at });
  }
  /** A computed trait's root: one value (an aggregate, a trait, a literal), not a condition. */
  rootValue(expr) {
    const wanted = "a computed trait must end in a value, such as event('Order Completed').count()";
    switch (expr.kind) {
      case "group":
        return this.rootValue(expr.inner);
      case "and":
      case "or":
        return fail2(expr.keywordAt, `${wanted}; ${expr.kind === "and" ? "AND" : "OR"} joins conditions`);
      case "not":
        return fail2(expr.at, `${wanted}; NOT negates a condition`);
      case "quantified":
        return fail2(expr.at, `${wanted}; ${expr.quantifier === "any" ? "ANY" : "ALL"} is only for ACCOUNTS audiences`);
      case "chain": {
        const scope = { where: "none", streamLabel: void 0, underQuantifier: false, needs: wanted };
        const state = checkChain(expr, scope, this);
        if (!state.ok) return state;
        const typed = state.value;
        switch (typed.kind) {
          case "value":
            return ok(typed.value);
          case "condition":
            return fail2(typed.comparatorAt, `${wanted}, not a condition: remove the comparison that starts here`);
          case "stream":
            return fail2(expr.end, `${labelOf(typed)} is a stream of events: a computed trait must reduce it to a value, as in ${labelOf(typed)}.count()`);
          default:
            return assertNever(typed);
        }
      }
      default:
        return assertNever(expr);
    }
  }
};

// src/definitions/parser.ts
var SUGAR = /* @__PURE__ */ new Map([
  ["=", "equals"],
  ["==", "equals"],
  ["!=", "differs"],
  [">", "greater_than"],
  [">=", "at_least"],
  ["<", "less_than"],
  ["<=", "at_most"]
]);
var MULTI_ARGUMENT = /* @__PURE__ */ new Set([
  "mode",
  "between",
  "sources",
  "contains",
  "omits",
  "starts_with",
  "ends_with",
  "one_of"
]);
var LABELS = /* @__PURE__ */ new Set(["parent", "exclude"]);
function parseSyntax(tokens, endToken) {
  return new Parser(tokens, endToken).definition();
}
var Parser = class {
  constructor(tokens, endToken) {
    this.tokens = tokens;
    this.endToken = endToken;
  }
  tokens;
  endToken;
  index = 0;
  depth = 0;
  definition() {
    const expr = this.or("expected a condition or a value");
    if (!expr.ok) return expr;
    const next = this.peek();
    if (next.kind === "end") return expr;
    if (next.kind === "punct" && next.symbol === ")") return fail2(next.at, `unexpected ')': there is no '(' for it to close`);
    return fail2(next.at, `expected AND, OR or the end of the definition, found ${describeToken(next)}`);
  }
  /** `expected` words the message when the first operand is missing; later ones follow a keyword. */
  or(expected) {
    return this.junction("OR", () => this.and(expected), () => this.and("expected a condition after OR"));
  }
  and(expected) {
    return this.junction("AND", () => this.unary(expected), () => this.unary("expected a condition after AND"));
  }
  /** `operand (KEYWORD operand)*` as one n-ary node, in a loop (no recursion per operand). */
  junction(keyword, first, rest) {
    const head = first();
    if (!head.ok) return head;
    if (keywordOf(this.peek()) !== keyword) return head;
    const keywordAt = this.peek().at;
    const operands = [head.value];
    while (keywordOf(this.peek()) === keyword) {
      this.next();
      const more = rest();
      if (!more.ok) return more;
      operands.push(more.value);
    }
    return ok({ kind: keyword === "AND" ? "and" : "or", operands, at: head.value.at, keywordAt });
  }
  unary(expected) {
    const token = this.peek();
    const keyword = keywordOf(token);
    if (keyword === "NOT" || keyword === "ANY" || keyword === "ALL") return this.prefixed(keyword, token);
    if (token.kind === "punct" && token.symbol === "(") return this.group(token);
    return this.chain(expected, true);
  }
  /** `NOT x`, `ANY x`, `ALL x`, `ALL NOT x`: x is a primary (a group or one comparison). */
  prefixed(keyword, token) {
    this.next();
    const negated = keyword === "ALL" && keywordOf(this.peek()) === "NOT";
    if (negated) this.next();
    const tooDeep2 = this.enter(token.at);
    if (tooDeep2) return tooDeep2;
    const operand = this.unary(`expected a condition after ${negated ? "ALL NOT" : keyword}`);
    this.depth -= 1;
    if (!operand.ok) return operand;
    if (keyword === "NOT") return ok({ kind: "not", operand: operand.value, at: token.at });
    return ok({ kind: "quantified", quantifier: keyword === "ANY" ? "any" : "all", negated, operand: operand.value, at: token.at });
  }
  group(open2) {
    this.next();
    const tooDeep2 = this.enter(open2.at);
    if (tooDeep2) return tooDeep2;
    const inner = this.or(`expected a condition after '('`);
    this.depth -= 1;
    if (!inner.ok) return inner;
    const close = this.peek();
    if (!(close.kind === "punct" && close.symbol === ")")) {
      return fail2(close.at, `expected ')' to close the '(' at ${describePosition(open2.at)}, found ${describeToken(close)}`);
    }
    this.next();
    return ok({ kind: "group", inner: inner.value, at: open2.at });
  }
  chain(expected, allowSugar) {
    const head = this.term(expected);
    if (!head.ok) return head;
    const calls = [];
    let end = head.value.end;
    while (this.isPunct(".")) {
      this.next();
      const name2 = this.peek();
      if (name2.kind !== "identifier") return fail2(name2.at, `expected a function name after '.', found ${describeToken(name2)}`);
      this.next();
      const call = this.callArguments(name2.name, name2.at);
      if (!call.ok) return call;
      calls.push(call.value);
      end = call.value.end;
    }
    const symbolToken = this.peek();
    const op = symbolToken.kind === "punct" ? SUGAR.get(symbolToken.symbol) : void 0;
    if (!allowSugar || op === void 0 || symbolToken.kind !== "punct") {
      return ok({ kind: "chain", head: head.value, calls, sugar: void 0, at: head.value.at, end });
    }
    this.next();
    const operand = this.chain(`expected a value after '${symbolToken.symbol}'`, false);
    if (!operand.ok) return operand;
    const after = this.peek();
    if (after.kind === "punct" && SUGAR.has(after.symbol)) {
      return fail2(after.at, `comparisons cannot be chained: found '${after.symbol}' after a complete comparison (join comparisons with AND)`);
    }
    const sugar = { op, symbol: symbolToken.symbol, at: symbolToken.at, operand: operand.value };
    return ok({ kind: "chain", head: head.value, calls, sugar, at: head.value.at, end });
  }
  term(expected) {
    const token = this.peek();
    switch (token.kind) {
      case "string":
        this.next();
        return ok({ kind: "literal", value: token.value, at: token.at, text: token.raw, end: token.end });
      case "number":
        this.next();
        return ok({ kind: "literal", value: token.value, at: token.at, text: token.raw, end: token.end });
      case "identifier": {
        if (keywordOf(token) !== void 0) return fail2(token.at, `${expected}, found ${describeToken(token)}`);
        const following = this.peek(1);
        if (following.kind === "punct" && following.symbol === "(") {
          this.next();
          return this.callArguments(token.name, token.at);
        }
        if (LABELS.has(token.name) && following.kind !== "punct") {
          return fail2(following.at, `expected ':' after ${token.name}, found ${describeToken(following)}`);
        }
        const constant = constantOf(token.name);
        if (constant !== void 0) {
          this.next();
          return ok({ kind: "literal", value: constant.value, at: token.at, text: token.name, end: token.end });
        }
        return fail2(
          token.at,
          `${expected}, found the name ${quoteName(token.name)} (quote a string, as in '${token.name}', or call a function, as in ${token.name}(\u2026))`
        );
      }
      case "punct":
      case "end":
        return fail2(token.at, `${expected}, found ${describeToken(token)}`);
      default:
        return assertNever(token);
    }
  }
  /** The `( … )` of a call whose name was just consumed; the next token must be `(`. */
  callArguments(name2, at) {
    const open2 = this.peek();
    if (!(open2.kind === "punct" && open2.symbol === "(")) {
      return fail2(open2.at, `expected '(' after ${name2}, found ${describeToken(open2)}`);
    }
    this.next();
    const tooDeep2 = this.enter(open2.at);
    if (tooDeep2) return tooDeep2;
    const args = this.argumentList(name2, ")");
    this.depth -= 1;
    if (!args.ok) return args;
    return ok({ kind: "call", name: name2, args: args.value.args, at, end: args.value.close.end });
  }
  /** Arguments up to the closing `)`, `}` or `]` (the opening one already consumed). */
  argumentList(owner, closer) {
    const args = [];
    if (this.isPunct(closer)) return ok({ args, close: this.next() });
    for (; ; ) {
      const arg = this.argument(owner);
      if (!arg.ok) return arg;
      args.push(arg.value);
      const after = this.peek();
      if (after.kind === "punct" && after.symbol === closer) return ok({ args, close: this.next() });
      if (after.kind === "punct" && after.symbol === ",") {
        this.next();
        const again = this.peek();
        if (again.kind === "punct" && again.symbol === closer) {
          return fail2(again.at, `expected an argument of ${owner} after ',', found '${closer}'`);
        }
        continue;
      }
      if (closer !== ")") return fail2(after.at, `expected ',' or '${closer}' in the arguments of ${owner}, found ${describeToken(after)}`);
      if (MULTI_ARGUMENT.has(owner)) return fail2(after.at, `expected ',' or ')' after an argument of ${owner}, found ${describeToken(after)}`);
      return fail2(after.at, `expected ')' after the arguments of ${owner}, found ${describeToken(after)}`);
    }
  }
  argument(owner) {
    const token = this.peek();
    const following = this.peek(1);
    if (token.kind === "identifier" && following.kind === "punct" && following.symbol === ":" && keywordOf(token) === void 0) {
      this.next();
      this.next();
      const value = this.argumentValue(owner, `expected a value after '${token.name}:'`);
      if (!value.ok) return value;
      return ok({ kind: "labeled", label: token.name, value: value.value, at: token.at });
    }
    return this.argumentValue(owner, `expected an argument of ${owner}`);
  }
  argumentValue(owner, expected) {
    const token = this.peek();
    if (token.kind === "punct" && (token.symbol === "{" || token.symbol === "[")) {
      this.next();
      const tooDeep2 = this.enter(token.at);
      if (tooDeep2) return tooDeep2;
      const closer = token.symbol === "{" ? "}" : "]";
      const inner = this.argumentList(owner, closer);
      this.depth -= 1;
      if (!inner.ok) return inner;
      return ok({ kind: token.symbol === "{" ? "braced" : "list", args: inner.value.args, at: token.at });
    }
    const unit = this.peek(1);
    if (token.kind === "number" && unit.kind === "identifier" && keywordOf(unit) === void 0 && unit.name.toLowerCase() !== "as") {
      this.next();
      this.next();
      return ok({ kind: "duration", amount: token.value, amountText: token.raw, unit: unit.name, at: token.at, unitAt: unit.at });
    }
    const expr = this.or(expected);
    if (!expr.ok) return expr;
    const as = this.peek();
    if (!(as.kind === "identifier" && as.name.toLowerCase() === "as")) return ok({ kind: "expr", expr: expr.value, as: void 0, at: expr.value.at });
    this.next();
    const type = this.peek();
    if (type.kind !== "identifier") return fail2(type.at, `expected a type after 'as' (string, number or array), found ${describeToken(type)}`);
    this.next();
    return ok({ kind: "expr", expr: expr.value, as: { type: type.name, at: type.at }, at: expr.value.at });
  }
  enter(at) {
    this.depth += 1;
    if (this.depth <= MAX_NESTING_DEPTH) return void 0;
    return fail2(at, `the definition nests too deeply: more than ${MAX_NESTING_DEPTH} levels of parentheses, function calls and NOT/ANY/ALL`);
  }
  isPunct(symbol) {
    const token = this.peek();
    return token.kind === "punct" && token.symbol === symbol;
  }
  /** The token `offset` ahead; past the list it is the `end` token. */
  peek(offset = 0) {
    return this.tokens[this.index + offset] ?? this.endToken;
  }
  next() {
    const token = this.peek();
    if (token.kind !== "end") this.index += 1;
    return token;
  }
};
function constantOf(name2) {
  switch (name2.toLowerCase()) {
    case "true":
      return { value: true };
    case "false":
      return { value: false };
    case "null":
      return { value: null };
    default:
      return void 0;
  }
}

// src/definitions/tokenizer.ts
var SINGLE_ESCAPES = {
  "'": "'",
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "	"
};
var isDigit = (c) => c >= 48 && c <= 57;
var isIdentStart = (c) => c >= 65 && c <= 90 || c >= 97 && c <= 122 || c === 95;
var isIdentPart = (c) => isIdentStart(c) || isDigit(c);
var isWhitespace = (ch, c) => c === 32 || c === 10 || c === 13 || c === 9 || (c > 127 || c === 11 || c === 12 ? /\s/u.test(ch) : false);
var NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
var HEX4 = /^[0-9A-Fa-f]{4}$/;
function describeCharacter(ch) {
  const code = ch.codePointAt(0) ?? 0;
  const visible = code > 32 && !(code >= 127 && code <= 160) && !/\s/u.test(ch) && !/\p{Cf}/u.test(ch);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return visible ? `'${ch}'` : hex;
}
function tokenize(text) {
  const tokens = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const advance = () => {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13 && text.charCodeAt(i + 1) !== 10) {
      line += 1;
      column = 1;
      i += 1;
      return;
    }
    i += isSurrogatePair(text, i) ? 2 : 1;
    if (ch !== 13) column += 1;
  };
  const here = () => ({ line, column });
  const codePointAt = (index) => String.fromCodePoint(text.codePointAt(index) ?? 0);
  while (i < text.length) {
    const ch = text[i] ?? "";
    const code = text.charCodeAt(i);
    const at = here();
    const start = i;
    if (isWhitespace(ch, code)) {
      advance();
      continue;
    }
    if (ch === "'" || ch === '"') {
      const lexed = lexString(text, ch, at, advance, () => i, here);
      if (!lexed.ok) return lexed;
      tokens.push({ kind: "string", value: lexed.value, raw: text.slice(start, i), at, end: here() });
      continue;
    }
    if (isDigit(code) || ch === "-" && isDigit(text.charCodeAt(i + 1))) {
      NUMBER.lastIndex = i;
      const raw = NUMBER.exec(text)?.[0] ?? ch;
      const value = Number(raw);
      if (!Number.isFinite(value)) return fail2(at, `the number ${raw} is too large`);
      for (let k = 0; k < raw.length; k += 1) advance();
      tokens.push({ kind: "number", value, raw, at, end: here() });
      continue;
    }
    if (isIdentStart(code)) {
      while (i < text.length && isIdentPart(text.charCodeAt(i))) advance();
      tokens.push({ kind: "identifier", name: text.slice(start, i), at, end: here() });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === "==" || two === "!=" || two === ">=" || two === "<=") {
      advance();
      advance();
      tokens.push({ kind: "punct", symbol: two, at, end: here() });
      continue;
    }
    switch (ch) {
      case "(":
      case ")":
      case "{":
      case "}":
      case "[":
      case "]":
      case ",":
      case ".":
      case ":":
      case "=":
      case ">":
      case "<":
        advance();
        tokens.push({ kind: "punct", symbol: ch, at, end: here() });
        continue;
      case "&":
        return fail2(at, `unexpected character '&': write AND to join conditions`);
      case "|":
        return fail2(at, `unexpected character '|': write OR to join conditions`);
      case "!":
        return fail2(at, `unexpected character '!': write NOT ( \u2026 ) to negate, or != to compare`);
      case "-":
        return fail2(at, `unexpected character '-': a minus sign must be followed by digits`);
      default:
        return fail2(at, `unexpected character ${describeCharacter(codePointAt(i))}`);
    }
  }
  const end = { kind: "end", at: here(), end: here() };
  tokens.push(end);
  return ok({ tokens, end });
}
function isSurrogatePair(text, i) {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 55296 && high <= 56319 && low >= 56320 && low <= 57343;
}
function lexString(text, quote2, at, advance, index, here) {
  advance();
  let value = "";
  for (; ; ) {
    const i = index();
    if (i >= text.length) return fail2(at, `unterminated string: add the closing ${quote2}`);
    const ch = text[i] ?? "";
    if (ch === quote2) {
      advance();
      return ok(value);
    }
    if (ch === "\n" || ch === "\r") return fail2(at, `unterminated string: add the closing ${quote2} before the end of the line`);
    if (ch === "\\") {
      const escapeAt = here();
      const next = text[i + 1];
      if (next === void 0) return fail2(at, `unterminated string: add the closing ${quote2}`);
      if (next === "\n" || next === "\r") return fail2(at, `unterminated string: add the closing ${quote2} before the end of the line`);
      const simple = SINGLE_ESCAPES[next];
      if (simple !== void 0) {
        advance();
        advance();
        value += simple;
        continue;
      }
      if (next === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!HEX4.test(hex)) return fail2(escapeAt, `invalid escape in a string: \\u must be followed by 4 hex digits`);
        for (let k = 0; k < 6; k += 1) advance();
        value += String.fromCharCode(Number.parseInt(hex, 16));
        continue;
      }
      const shown = describeCharacter(String.fromCodePoint(text.codePointAt(i + 1) ?? 0));
      const escape = shown.startsWith("'") ? `\\${next}` : `\\ followed by ${shown}`;
      return fail2(escapeAt, `unknown escape ${escape} in a string (write \\\\ for a backslash)`);
    }
    const code = ch.charCodeAt(0);
    if (code < 32 && ch !== "	") {
      return fail2(here(), `control character ${describeCharacter(ch)} in a string: write it as an escape such as \\u${code.toString(16).padStart(4, "0")}`);
    }
    value += isSurrogatePair(text, i) ? text.slice(i, i + 2) : ch;
    advance();
  }
}

// src/definitions/parse-definition.ts
function parseDefinition(text, options) {
  const start = { line: 1, column: 1 };
  if (text.length > MAX_DEFINITION_LENGTH) {
    return fail2(start, `the definition is ${formatCount(text.length)} characters long; at most ${formatCount(MAX_DEFINITION_LENGTH)} are allowed`);
  }
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const { tokens, end } = lexed.value;
  if (tokens[0]?.kind === "end") {
    const example = options.kind === "audience" ? "event('Order Completed').count() >= 1" : "event('Order Completed').count()";
    return fail2(start, `the definition is empty; write ${options.kind === "audience" ? "a condition" : "a value"}, such as ${example}`);
  }
  const syntax = parseSyntax(tokens, end);
  if (!syntax.ok) return syntax;
  return checkDefinition(syntax.value, options.kind, options.target ?? "USERS");
}

// src/runtime/definition-backfill.ts
var DAY_MS2 = 864e5;
var CHUNK_PROFILES = 500;
var LOG_EVERY_MS = 5e3;
async function runBackfill(record, deps, hooks) {
  const { pool, store, clock, log } = deps;
  const started = Date.now();
  const total = Math.max(1, store.profiles.getStats().entryCount ?? 1);
  const fromTimestamp = record.options.backfillEventDataDays === void 0 ? void 0 : clock.now() - record.options.backfillEventDataDays * DAY_MS2;
  let scanned = 0;
  let profiles = 0;
  let events = 0;
  let lastLog = started;
  let cancelled = false;
  async function runShard(shard) {
    let after;
    for (; ; ) {
      if (hooks.isCancelled()) {
        cancelled = true;
        return;
      }
      const chunk = await pool.backfill(shard, {
        definitionId: record.id,
        spaceId: record.spaceId,
        limit: CHUNK_PROFILES,
        now: clock.now(),
        replay: record.options.includeHistoricalData,
        ...after === void 0 ? {} : { after },
        ...fromTimestamp === void 0 ? {} : { fromTimestamp }
      });
      scanned += chunk.scanned / pool.count;
      profiles += chunk.profiles;
      events += chunk.events;
      hooks.onProgress(Math.min(0.99, scanned / total));
      logProgress();
      if (chunk.next === void 0) return;
      after = chunk.next;
    }
  }
  function logProgress() {
    const now = Date.now();
    if (now - lastLog < LOG_EVERY_MS) return;
    lastLog = now;
    const seconds = (now - started) / 1e3;
    const rate = events / seconds;
    const eta = scanned > 0 ? seconds * (total - scanned) / scanned : void 0;
    log.info({ definitionId: record.id, key: record.key, profiles, events, eventsPerSecond: Math.round(rate), etaSeconds: eta === void 0 ? null : Math.round(eta) }, "backfill progressing");
  }
  await Promise.all(Array.from({ length: pool.count }, (_, shard) => runShard(shard)));
  if (cancelled) return "cancelled";
  const outcome = { profiles, events, elapsedMs: Date.now() - started };
  log.info({ definitionId: record.id, key: record.key, ...outcome }, "backfill finished");
  return outcome;
}

// src/runtime/definition-registry.ts
var KIND_PREFIX = { audience: "aud_", computed_trait: "trt_" };
var PROGRESS_WRITE_MS = 250;
function createDefinitionRegistry(deps) {
  const { store, clock, log } = deps;
  const byId = /* @__PURE__ */ new Map();
  for (const { value } of store.definitions.getRange()) byId.set(value.id, value);
  let version = 1;
  const running = /* @__PURE__ */ new Map();
  let closing = false;
  const keysBySpace = /* @__PURE__ */ new Map();
  function recordsOf(spaceId) {
    return [...byId.values()].filter((r) => r.spaceId === spaceId);
  }
  function locate(spaceId, kind, idOrKey) {
    const direct = byId.get(idOrKey);
    if (direct !== void 0 && direct.spaceId === spaceId && direct.kind === kind && direct.deletedAt === void 0) return direct;
    return recordsOf(spaceId).find((r) => r.key === idOrKey && r.kind === kind && r.deletedAt === void 0);
  }
  function view(record) {
    return { record, size: record.kind === "audience" ? sizeOf(record.id) : void 0 };
  }
  function sizeOf(id) {
    let size = 0;
    for (const { value } of store.definitionSizes.getRange({ start: [id], end: [`${id}\0`] })) size += value;
    return size;
  }
  function put(record) {
    const previous = byId.get(record.id);
    byId.set(record.id, record);
    keysBySpace.delete(record.spaceId);
    return store.definitions.put(record.id, record).then(
      () => void 0,
      (error) => {
        if (byId.get(record.id) === record) {
          if (previous === void 0) byId.delete(record.id);
          else byId.set(record.id, previous);
          keysBySpace.delete(record.spaceId);
        }
        throw error;
      }
    );
  }
  async function save(record) {
    await put(record);
    version += 1;
  }
  function checked(spaceId, kind, key, query, target, excludeId) {
    const parsed = parseDefinition(query, { kind, target });
    if (!parsed.ok) throw new AppError("invalid_definition", parsed.error.message);
    const ast = parsed.value;
    if (containsQuantifier(ast.root)) {
      throw new AppError("unsupported_definition", "ANY/ALL over the users linked to an account are not evaluated yet; an ACCOUNTS definition without them runs on the account profiles themselves.");
    }
    compileDefinition(ast);
    const live = recordsOf(spaceId).filter((r) => r.deletedAt === void 0 && r.id !== excludeId);
    const candidates = [...live.map((r) => ({ key: r.key, ast: r.ast })), { key, ast }];
    const order = orderDefinitions(candidates, (d) => new Set(definitionDependencies(d.ast).traitKeys));
    if (!order.ok) {
      const what = kind === "audience" ? "audience" : "computed trait";
      throw new AppError("definition_cycle", `The ${what} would create a cycle by referencing another audience or computed trait (keys: ${order.cycle.keys.join(", ")}).`);
    }
    return ast;
  }
  async function transitionTo(id, event, revision) {
    const current = byId.get(id);
    if (current === void 0 || current.deletedAt !== void 0 || revision !== void 0 && current.revision !== revision) return void 0;
    const lifecycle = stepLifecycle(current.lifecycle, event);
    if (lifecycle === current.lifecycle || JSON.stringify(lifecycle) === JSON.stringify(current.lifecycle)) return current;
    const next = { ...current, lifecycle };
    await put(next);
    return next;
  }
  function startBackfill(record) {
    const { id, revision } = record;
    const previous = running.get(id) ?? Promise.resolve();
    const run = previous.then(async () => {
      const current = byId.get(id);
      if (closing || current === void 0 || current.revision !== revision || current.deletedAt !== void 0 || !current.enabled) return;
      await transitionTo(id, { type: "backfill.started" }, revision);
      let lastWrite = 0;
      try {
        const outcome = await runBackfill(
          current,
          { pool: deps.pool(), store, clock, log },
          {
            onProgress: (progress) => {
              if (Date.now() - lastWrite < PROGRESS_WRITE_MS) return;
              lastWrite = Date.now();
              void transitionTo(id, { type: "backfill.progressed", progress }, revision);
            },
            isCancelled: () => {
              const now = byId.get(id);
              return closing || now === void 0 || now.revision !== revision || now.deletedAt !== void 0 || !now.enabled;
            }
          }
        );
        if (outcome !== "cancelled") await transitionTo(id, { type: "backfill.completed" }, revision);
      } catch (caught) {
        const error = ensureError(caught);
        log.error({ err: error, definitionId: id }, "backfill failed");
        await transitionTo(id, { type: "backfill.failed", reason: error.message }, revision);
        version += 1;
      }
    });
    const tracked = run.finally(() => {
      if (running.get(id) === tracked) running.delete(id);
    });
    running.set(id, tracked);
  }
  return {
    version: () => version,
    liveKeys(spaceId) {
      let keys = keysBySpace.get(spaceId);
      if (keys === void 0) {
        keys = new Map(recordsOf(spaceId).filter((r) => r.deletedAt === void 0).map((r) => [r.key, r.kind]));
        keysBySpace.set(spaceId, keys);
      }
      return keys;
    },
    list: (spaceId, kind) => recordsOf(spaceId).filter((r) => r.kind === kind && r.deletedAt === void 0).sort((a, b) => a.createdAt - b.createdAt).map(view),
    find(spaceId, kind, idOrKey) {
      const record = locate(spaceId, kind, idOrKey);
      return record === void 0 ? void 0 : view(record);
    },
    async create(spaceId, input) {
      const key = input.key ?? deriveDefinitionKey(input.name);
      if (input.key === void 0 && key === "") {
        throw new AppError("invalid_body", `No key can be derived from the name ${JSON.stringify(input.name)}; give a "key".`);
      }
      if (!isValidDefinitionKey(key)) {
        throw new AppError("invalid_body", `"key" must be lower-case letters and digits in words joined by "_", at most ${MAX_DEFINITION_KEY_LENGTH} characters.`);
      }
      const taken = recordsOf(spaceId).find((r) => r.key === key);
      if (taken !== void 0) {
        throw new AppError("key_in_use", taken.deletedAt === void 0 ? `The key "${key}" is in use by ${taken.id}.` : `The key "${key}" belonged to a deleted definition; keys are never reused.`);
      }
      const ast = checked(spaceId, input.kind, key, input.query, input.target);
      const now = clock.now();
      const lifecycle = stepLifecycle(initialLifecycle(), input.enabled ? { type: "backfill.requested" } : { type: "definition.disabled" });
      const record = {
        id: `${KIND_PREFIX[input.kind]}${randomUUID3().replaceAll("-", "").slice(0, 24)}`,
        spaceId,
        kind: input.kind,
        key,
        name: input.name,
        ...input.description === void 0 ? {} : { description: input.description },
        query: input.query,
        target: input.target,
        ast,
        revision: 1,
        enabled: input.enabled,
        options: input.options,
        lifecycle,
        createdAt: now,
        updatedAt: now
      };
      await save(record);
      if (input.enabled) startBackfill(record);
      return view(byId.get(record.id) ?? record);
    },
    async update(spaceId, kind, idOrKey, patch) {
      const current = locate(spaceId, kind, idOrKey);
      if (current === void 0) throw new AppError("not_found", `No ${kind === "audience" ? "audience" : "computed trait"} ${idOrKey}.`);
      const redefined = patch.query !== void 0 && patch.query !== current.query;
      const ast = redefined ? checked(spaceId, kind, current.key, patch.query, current.target, current.id) : current.ast;
      const enabled = patch.enabled ?? current.enabled;
      const backfills = enabled && (redefined || !current.enabled && current.options.includeHistoricalData);
      let lifecycle = current.lifecycle;
      if (!enabled) lifecycle = stepLifecycle(lifecycle, { type: "definition.disabled" });
      else if (!current.enabled) lifecycle = stepLifecycle(lifecycle, { type: "definition.enabled", backfill: backfills });
      else if (redefined) lifecycle = stepLifecycle(lifecycle, { type: backfills ? "backfill.requested" : "backfill.skipped" });
      const record = {
        ...current,
        ...patch.name === void 0 ? {} : { name: patch.name },
        ...patch.description === void 0 ? {} : { description: patch.description },
        ...redefined ? { query: patch.query, ast, revision: current.revision + 1 } : {},
        enabled,
        lifecycle,
        updatedAt: clock.now()
      };
      await save(record);
      if (backfills) startBackfill(record);
      return view(byId.get(record.id) ?? record);
    },
    async remove(spaceId, kind, idOrKey) {
      const current = locate(spaceId, kind, idOrKey);
      if (current === void 0) throw new AppError("not_found", `No ${kind === "audience" ? "audience" : "computed trait"} ${idOrKey}.`);
      await save({ ...current, deletedAt: clock.now(), updatedAt: clock.now() });
    },
    resumeBackfills() {
      for (const record of byId.values()) {
        const interrupted = record.lifecycle.status === "Preparing" || record.lifecycle.status === "Computing";
        if (interrupted && record.deletedAt === void 0 && record.enabled) startBackfill(record);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async close() {
      closing = true;
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    }
  };
}
function containsQuantifier(node) {
  switch (node.kind) {
    case "quantified":
      return true;
    case "and":
    case "or":
      return node.operands.some(containsQuantifier);
    case "not":
      return containsQuantifier(node.operand);
    default:
      return false;
  }
}

// src/runtime/account-id.ts
import { createHash as createHash2 } from "node:crypto";
function accountProfileId(spaceId, groupId) {
  return asProfileId(`acc_${createHash2("sha256").update(`${spaceId}\0${groupId}`).digest("base64url").slice(0, 27)}`);
}

// src/runtime/account-deletion.ts
function createAccountDeletion(graph, pool, sequencer, clock) {
  return async (spaceId, groupId) => {
    const view = graph.view(spaceId);
    const accountId = accountProfileId(spaceId, groupId);
    if (view.profileOf({ type: "group_id", value: groupId }) !== accountId) return false;
    const writes = graph.stageAccountDeletion(spaceId, groupId);
    const { done } = await sequencer.take();
    let unlinked;
    try {
      const { state } = await pool.erase(pool.shardOf(accountId), accountId, writes);
      graph.settle(writes);
      unlinked = [...unlinksByShard(state, groupId, view, pool)].map(([shard, messages2]) => pool.deliver(shard, { now: clock.now(), messages: messages2 }));
    } catch (error) {
      graph.discard(writes);
      throw error;
    } finally {
      done();
    }
    await Promise.all(unlinked);
    return true;
  };
}
function unlinksByShard(account, groupId, view, pool) {
  const byShard = /* @__PURE__ */ new Map();
  const members = /* @__PURE__ */ new Set();
  for (const userKey of Object.keys(account?.links ?? {})) {
    const colon = userKey.indexOf(":");
    const profileId = view.profileOf({ type: userKey.slice(0, colon), value: userKey.slice(colon + 1) });
    if (profileId === void 0 || members.has(profileId) || account === void 0) continue;
    members.add(profileId);
    const shard = pool.shardOf(profileId);
    byShard.set(shard, [...byShard.get(shard) ?? [], { type: "profile.unlink", profileId, spaceId: account.spaceId, linkKey: groupId }]);
  }
  return byShard;
}

// src/runtime/dedup-sweeper.ts
var CHUNK = 1e3;
var SWEEP_INTERVAL_MS = 10 * 60 * 1e3;
var INDEXED_KEY = "dedup.expiryIndexed";
function createDedupSweeper(options) {
  const { pool, clock, meta, windowMs, log } = options;
  let running;
  let again = false;
  let stopped = false;
  let interval;
  let nextShard = 0;
  const shard = () => nextShard++ % pool.count;
  async function indexOlderMarks(cutoff) {
    if (meta.get(INDEXED_KEY) === true) return 0;
    let removed = 0;
    let after = null;
    do {
      const chunk = await pool.indexDedup(shard(), after, cutoff, CHUNK);
      removed += chunk.removed;
      after = chunk.last;
      await yieldToIngestion();
    } while (after !== null && !stopped);
    if (!stopped) await meta.put(INDEXED_KEY, true);
    return removed;
  }
  async function sweepOnce() {
    const cutoff = clock.now() - windowMs;
    let removed = await indexOlderMarks(cutoff);
    for (let more = true; more && !stopped; ) {
      const chunk = await pool.sweepDedup(shard(), cutoff, CHUNK);
      removed += chunk.removed;
      more = chunk.more;
      if (more) await yieldToIngestion();
    }
    return removed;
  }
  function sweep() {
    if (running !== void 0) {
      again = true;
      return running;
    }
    const run = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          total += await sweepOnce();
        } while (again && !stopped);
        if (total > 0) log.debug({ removed: total }, "dedup marks swept");
        return total;
      } finally {
        running = void 0;
      }
    })();
    running = run;
    return run;
  }
  return {
    sweep,
    start() {
      const background = () => void sweep().catch((error) => log.warn({ err: error }, "sweeping dedup marks failed; the next sweep retries"));
      background();
      interval = setInterval(background, SWEEP_INTERVAL_MS);
      interval.unref();
    },
    async stop() {
      stopped = true;
      if (interval !== void 0) clearInterval(interval);
      await running?.catch(() => void 0);
    }
  };
}
function yieldToIngestion() {
  return new Promise((resolve3) => setImmediate(resolve3));
}

// src/runtime/dispatch-sequencer.ts
function createDispatchSequencer() {
  let tail = Promise.resolve();
  return {
    take() {
      const previous = tail;
      let release2 = () => void 0;
      tail = new Promise((resolve3) => release2 = resolve3);
      return previous.then(() => ({ done: release2 }));
    }
  };
}

// src/store/identity-records.ts
var NO_IDENTITY_WRITES = { identifiers: [], profiles: [] };
function combineIdentityWrites(all) {
  const withChanges = all.filter((w) => w.identifiers.length > 0 || w.profiles.length > 0 || (w.removedProfiles?.length ?? 0) > 0);
  if (withChanges.length <= 1) return withChanges[0] ?? NO_IDENTITY_WRITES;
  return {
    identifiers: withChanges.flatMap((w) => w.identifiers),
    profiles: withChanges.flatMap((w) => w.profiles),
    removedProfiles: withChanges.flatMap((w) => w.removedProfiles ?? [])
  };
}

// src/runtime/identity-graph-store.ts
var MAX_FORWARD_HOPS = 1e3;
var COMMITTED_CACHE_SIZE = 5e5;
function overlayKey(spaceId, type, value) {
  return `${spaceId}\0${type}\0${value}`;
}
function createIdentityGraphStore(store) {
  const stagedIdentifiers = /* @__PURE__ */ new Map();
  const stagedProfiles = /* @__PURE__ */ new Map();
  const committed = /* @__PURE__ */ new Map();
  const views = /* @__PURE__ */ new Map();
  function remember(k, profileId) {
    committed.set(k, profileId);
    if (committed.size > COMMITTED_CACHE_SIZE) committed.delete(committed.keys().next().value);
  }
  function record(profileId) {
    const staged = stagedProfiles.get(profileId);
    if (staged !== void 0) return staged ?? void 0;
    return store.graphProfiles.get(profileId);
  }
  function follow(profileId, persisted) {
    let current = profileId;
    for (let hop = 0; hop < MAX_FORWARD_HOPS; hop++) {
      const staged = stagedProfiles.get(current);
      const next = staged !== void 0 ? staged?.mergedInto : persisted ? store.graphProfiles.get(current)?.mergedInto : void 0;
      if (next === void 0) return current;
      current = next;
    }
    return current;
  }
  function liveProfile(profileId) {
    return follow(profileId, true);
  }
  function view(spaceId) {
    let existing = views.get(spaceId);
    if (existing === void 0) {
      existing = createView(spaceId);
      views.set(spaceId, existing);
    }
    return existing;
  }
  function createView(spaceId) {
    return {
      profileOf(id) {
        const k = overlayKey(spaceId, id.type, id.value);
        const staged = stagedIdentifiers.get(k);
        if (staged !== void 0) return staged === null ? void 0 : follow(staged, false);
        let found = committed.get(k);
        if (found === void 0) {
          found = store.identity.get([spaceId, id.type, id.value]);
          if (found !== void 0) remember(k, found);
        }
        return found === void 0 ? void 0 : follow(found, false);
      },
      profile(profileId) {
        const found = record(profileId);
        return found === void 0 || found.mergedInto !== void 0 ? void 0 : found;
      }
    };
  }
  function stage(spaceId, resolution) {
    if (!resolution.created && resolution.merges.length === 0 && resolution.addIdentifiers.length === 0) return NO_IDENTITY_WRITES;
    const identifiers = [];
    const profiles = [];
    const winnerId = resolution.profileId;
    let winner = record(winnerId) ?? { id: winnerId, spaceId, createdAt: resolution.at, identifiers: [], mergeCount: 0 };
    const point = (id) => {
      stagedIdentifiers.set(overlayKey(spaceId, id.type, id.value), winnerId);
      identifiers.push({ key: [spaceId, id.type, id.value], profileId: winnerId });
    };
    for (const { loser } of resolution.merges) {
      const folded = record(loser);
      if (folded === void 0) continue;
      winner = {
        ...winner,
        identifiers: [...winner.identifiers, ...folded.identifiers],
        mergeCount: winner.mergeCount + 1 + folded.mergeCount
      };
      for (const id of folded.identifiers) point(id);
      const forwarded = { ...folded, mergedInto: winnerId };
      stagedProfiles.set(loser, forwarded);
      profiles.push(forwarded);
    }
    if (resolution.addIdentifiers.length > 0) {
      winner = { ...winner, identifiers: [...winner.identifiers, ...resolution.addIdentifiers] };
      for (const id of resolution.addIdentifiers) point(id);
    }
    stagedProfiles.set(winnerId, winner);
    profiles.push(winner);
    return { identifiers, profiles };
  }
  function stageAccount(spaceId, groupId, accountId) {
    const k = overlayKey(spaceId, "group_id", groupId);
    const staged = stagedIdentifiers.get(k);
    if (staged === accountId || staged === void 0 && store.identity.get([spaceId, "group_id", groupId]) === accountId) return NO_IDENTITY_WRITES;
    stagedIdentifiers.set(k, accountId);
    return { identifiers: [{ key: [spaceId, "group_id", groupId], profileId: accountId }], profiles: [] };
  }
  function stageDeletion(spaceId, profileId) {
    const identifiers = (record(profileId)?.identifiers ?? []).map((id) => {
      stagedIdentifiers.set(overlayKey(spaceId, id.type, id.value), null);
      return { key: [spaceId, id.type, id.value], profileId: null };
    });
    stagedProfiles.set(profileId, null);
    return { identifiers, profiles: [], removedProfiles: [profileId] };
  }
  function stageAccountDeletion(spaceId, groupId) {
    stagedIdentifiers.set(overlayKey(spaceId, "group_id", groupId), null);
    return { identifiers: [{ key: [spaceId, "group_id", groupId], profileId: null }], profiles: [] };
  }
  function settle(writes, committedNow = true) {
    for (const { key, profileId } of writes.identifiers) {
      const k = overlayKey(key[0], key[1], key[2]);
      if (stagedIdentifiers.get(k) !== profileId) continue;
      stagedIdentifiers.delete(k);
      if (!committedNow) continue;
      if (profileId === null) committed.delete(k);
      else remember(k, profileId);
    }
    for (const written of writes.profiles) {
      if (stagedProfiles.get(written.id) === written) stagedProfiles.delete(written.id);
    }
    for (const removed of writes.removedProfiles ?? []) {
      if (stagedProfiles.get(removed) === null) stagedProfiles.delete(removed);
    }
  }
  function discard(writes) {
    settle(writes, false);
  }
  return {
    view,
    record,
    liveProfile,
    stage,
    stageAccount,
    stageDeletion,
    stageAccountDeletion,
    settle: (writes) => settle(writes),
    discard,
    sizes: () => ({ stagedIdentifiers: stagedIdentifiers.size, stagedProfiles: stagedProfiles.size, committedCache: committed.size })
  };
}

// src/runtime/delivery-plan.ts
function groupByShard(steps, shardOf2, releasedStates) {
  const forwards = /* @__PURE__ */ new Map();
  for (const step of steps) if (step.kind === "merge") forwards.set(step.loser, step.winner);
  const live = (id) => {
    let current = id;
    for (let next = forwards.get(current); next !== void 0 && next !== current; next = forwards.get(current)) current = next;
    return current;
  };
  const messagesByShard = /* @__PURE__ */ new Map();
  const writesByShard = /* @__PURE__ */ new Map();
  const add = (target, message, writes) => {
    const shard = shardOf2(target);
    let messages2 = messagesByShard.get(shard);
    if (messages2 === void 0) {
      messages2 = [];
      messagesByShard.set(shard, messages2);
      writesByShard.set(shard, []);
    }
    messages2.push(message);
    if (writes !== void 0) writesByShard.get(shard).push(writes);
  };
  for (const step of steps) {
    if (step.kind === "merge") {
      const target2 = live(step.winner);
      add(target2, {
        type: "profile.absorb",
        profileId: target2,
        spaceId: step.spaceId,
        loserId: step.loser,
        absorbed: releasedStates.get(step.loser),
        trigger: step.trigger
      });
      continue;
    }
    const target = live(step.profileId);
    add(target, target === step.message.profileId ? step.message : { ...step.message, profileId: target }, step.writes);
  }
  const deliveries = /* @__PURE__ */ new Map();
  for (const [shard, messages2] of messagesByShard) {
    deliveries.set(shard, { messages: messages2, identityWrites: combineIdentityWrites(writesByShard.get(shard)) });
  }
  return deliveries;
}

// src/runtime/ingest-service.ts
function createIngestService(deps) {
  const { store, pool, graph } = deps;
  const inFlight = /* @__PURE__ */ new Map();
  async function ingest(request) {
    const depths = pool.depths();
    if (depths.some((depth) => depth >= deps.maxQueuedEventsPerShard)) {
      deps.metrics.requestsOverloaded.inc();
      throw new AppError("overloaded", "The engine is behind; retry after the Retry-After delay.");
    }
    const { space: space2, source } = request;
    const { receivedAt } = request;
    const rejected = [];
    const steps = [];
    const awaitedDuplicates = [];
    const sideWrites = [];
    const claimed = [];
    const seenHere = /* @__PURE__ */ new Set();
    let duplicates = 0;
    let accepted = 0;
    const reject = (index, code, message) => {
      rejected.push({ index, code, message });
      deps.metrics.eventsRejected.inc({ space: space2.id, code });
    };
    for (const item of request.items) {
      if (!item.ok) {
        reject(item.index, item.error.code, item.error.message);
        continue;
      }
      const event = { ...item.event, messageId: item.event.messageId ?? deps.newMessageId(), sourceId: source.sourceId, receivedAt };
      if (event.userId !== void 0 && space2.suppressedUserIds.has(event.userId)) {
        reject(item.index, "suppressed", `userId ${JSON.stringify(event.userId)} is suppressed in space ${space2.id}; its events are not accepted.`);
        continue;
      }
      const dedupKey = `${space2.id}\0${event.messageId}`;
      const pending = inFlight.get(dedupKey);
      if (seenHere.has(dedupKey) || pending !== void 0 || store.dedup.get([space2.id, event.messageId]) !== void 0) {
        if (pending !== void 0) awaitedDuplicates.push(pending);
        duplicates++;
        continue;
      }
      const planned = planEvent(space2, source, event, receivedAt, sideWrites);
      if (!planned.ok) {
        reject(item.index, planned.error.code, planned.error.message);
        continue;
      }
      steps.push(...planned.value);
      seenHere.add(dedupKey);
      claimed.push(dedupKey);
      accepted++;
    }
    if (steps.length === 0) {
      await Promise.all([...awaitedDuplicates, ...sideWrites]);
      countOutcome(space2, accepted, duplicates);
      return { accepted, duplicates, rejected };
    }
    const work = deliver(steps, receivedAt, deps.sequencer.take());
    for (const key of claimed) inFlight.set(key, work);
    const stopTimer = deps.metrics.batchLatency.startTimer();
    try {
      await work;
      await Promise.all([...awaitedDuplicates, ...sideWrites]);
    } finally {
      stopTimer();
      for (const key of claimed) if (inFlight.get(key) === work) inFlight.delete(key);
    }
    countOutcome(space2, accepted, duplicates);
    return { accepted, duplicates, rejected };
  }
  function planEvent(space2, source, event, receivedAt, sideWrites) {
    const extraction = extractIdentifiers(event, space2.identity);
    if (extraction.error !== void 0) return err(extraction.error);
    if (extraction.newTypes.length > 0) {
      space2.identity = extraction.settings;
      sideWrites.push(deps.onNewIdentifierTypes(space2, extraction.newTypes));
    }
    const userIdentifiers = extraction.identifiers.filter((id) => collectionOf(id.type) === "users");
    const resolution = resolveIdentity(
      { identifiers: userIdentifiers, blocked: extraction.blocked, at: receivedAt, messageId: event.messageId, sourceId: source.sourceId, eventType: event.type },
      graph.view(space2.id),
      space2.identity,
      deps.newProfileId
    );
    const violations = [...extraction.overTypeLimit.map((id) => typeLimitViolation(id, space2.identity.maxCustomTypes)), ...resolution.violations];
    if (violations.length > 0) sideWrites.push(deps.onViolations(space2, event, violations));
    if (resolution.kind === "unresolved") {
      return err({ code: "no_matching_identifiers", message: "The event carries no usable identifier: every id is missing or a blocked value." });
    }
    const writes = graph.stage(space2.id, resolution);
    if (resolution.merges.length > 0) deps.metrics.identityMerges.inc({ space: space2.id }, resolution.merges.length);
    const trigger = { messageId: event.messageId, eventType: event.type, at: receivedAt };
    const steps = resolution.merges.map((merge2) => ({ kind: "merge", spaceId: space2.id, loser: merge2.loser, winner: merge2.winner, trigger }));
    steps.push({
      kind: "event",
      profileId: resolution.profileId,
      message: { type: "profile.track", profileId: resolution.profileId, spaceId: space2.id, event, newIdentifiers: resolution.addIdentifiers },
      writes
    });
    const linkedUser = userIdentifiers[0];
    if (event.type === "group" && event.groupId !== void 0 && linkedUser !== void 0) {
      const accountId = accountProfileId(space2.id, event.groupId);
      steps.push({
        kind: "event",
        profileId: accountId,
        message: {
          type: "profile.track",
          profileId: accountId,
          spaceId: space2.id,
          event,
          newIdentifiers: [{ type: "group_id", value: event.groupId, addedAt: receivedAt, firstMessageId: event.messageId, sourceId: source.sourceId }],
          account: { linkedUser: `${linkedUser.type}:${linkedUser.value}` }
        },
        writes: graph.stageAccount(space2.id, event.groupId, accountId)
      });
    }
    return ok(steps);
  }
  function countOutcome(space2, accepted, duplicates) {
    if (accepted > 0) deps.metrics.eventsAccepted.inc({ space: space2.id }, accepted);
    if (duplicates > 0) deps.metrics.eventsDuplicate.inc({ space: space2.id }, duplicates);
  }
  async function deliver(steps, now, turn) {
    const { done } = await turn;
    let posted;
    try {
      const released = await releaseLosers(steps);
      posted = [...groupByShard(steps, pool.shardOf, released)].map(([shard, delivery]) => post(shard, delivery, now));
    } catch (error) {
      for (const step of steps) if (step.kind === "event") graph.discard(step.writes);
      throw error;
    } finally {
      done();
    }
    const results2 = await Promise.allSettled(posted);
    const failure = results2.find((r) => r.status === "rejected");
    if (failure !== void 0) {
      deps.log.error({ err: failure.reason }, "a shard failed to commit a delivery");
      throw new AppError("internal_error", "Some events could not be committed; retry the request (accepted ones are deduplicated).", { cause: failure.reason });
    }
  }
  async function post(shard, { messages: messages2, identityWrites }, now) {
    try {
      const result = await pool.deliver(shard, { now, messages: messages2, identityWrites });
      graph.settle(identityWrites);
      deps.timers.noteNextTimer(shard, result.nextTimerAt);
    } catch (error) {
      graph.discard(identityWrites);
      throw error;
    }
  }
  async function releaseLosers(steps) {
    const byShard = /* @__PURE__ */ new Map();
    for (const step of steps) {
      if (step.kind !== "merge") continue;
      const shard = pool.shardOf(step.loser);
      byShard.set(shard, [...byShard.get(shard) ?? [], step.loser]);
    }
    const released = /* @__PURE__ */ new Map();
    await Promise.all(
      [...byShard].map(async ([shard, losers]) => {
        const { states } = await pool.release(shard, losers);
        losers.forEach((loser, i) => released.set(loser, states[i]));
      })
    );
    return released;
  }
  return { ingest };
}

// src/runtime/newest-first.ts
function newestFirst2(db, spaceId, limit, from) {
  const items = [];
  let next;
  const start = from ?? [spaceId, Number.MAX_SAFE_INTEGER];
  for (const { key, value } of db.getRange({ start, end: [spaceId, -1], reverse: true, limit: limit + 1 })) {
    if (items.length === limit) {
      next = key;
      break;
    }
    items.push(value);
  }
  return { items, next };
}

// src/runtime/insights-log.ts
function createInsightsLog(store, log) {
  let seq = Date.now() * 1e3;
  return {
    async record(spaceId, event, violations, at) {
      const writes = [];
      for (const violation of violations) {
        const record = {
          at,
          type: violation.type,
          message: violation.message,
          messageId: event.messageId,
          eventType: event.type,
          sourceId: event.sourceId,
          ...violation.identifier === void 0 ? {} : { identifier: violation.identifier },
          ...violation.profileId === void 0 ? {} : { profileId: violation.profileId }
        };
        writes.push(store.insights.put([spaceId, at, seq++], record));
      }
      try {
        await Promise.all(writes);
        store.root.resetReadTxn();
      } catch (error) {
        log.warn({ err: error }, "could not store an insight");
      }
    },
    list: (spaceId, limit, from) => newestFirst2(store.insights, spaceId, limit, from)
  };
}

// src/runtime/metrics.ts
import { Counter, Gauge, Histogram, Registry } from "prom-client";
function createEngineMetrics(queueDepths) {
  const registry = new Registry();
  const metrics = {
    registry,
    eventsAccepted: new Counter({ name: "troupe_events_accepted_total", help: "Events durably committed.", labelNames: ["space"], registers: [registry] }),
    eventsRejected: new Counter({ name: "troupe_events_rejected_total", help: "Events rejected, by error code.", labelNames: ["space", "code"], registers: [registry] }),
    eventsDuplicate: new Counter({ name: "troupe_events_duplicate_total", help: "Events acknowledged but ignored because their messageId was seen before.", labelNames: ["space"], registers: [registry] }),
    requestsOverloaded: new Counter({ name: "troupe_requests_overloaded_total", help: "Tracking requests answered 429 because a shard queue was full.", registers: [registry] }),
    batchLatency: new Histogram({
      name: "troupe_batch_latency_seconds",
      help: "Time from a tracking request being parsed to its events being committed.",
      buckets: [1e-3, 25e-4, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry]
    }),
    timersFired: new Counter({ name: "troupe_timers_fired_total", help: "Actor timers that fired.", registers: [registry] }),
    identityMerges: new Counter({
      name: "troupe_identity_merges_total",
      help: "Profiles folded into another by identity resolution.",
      labelNames: ["space"],
      registers: [registry]
    }),
    clientAborts: new Counter({
      name: "troupe_client_aborts_total",
      help: "Requests whose client closed the connection before the request body arrived.",
      registers: [registry]
    })
  };
  new Gauge({
    name: "troupe_shard_queue_depth",
    help: "Messages sent to a shard and not yet committed.",
    labelNames: ["shard"],
    registers: [registry],
    collect() {
      queueDepths().forEach((depth, shard) => this.set({ shard: String(shard) }, depth));
    }
  });
  return metrics;
}

// src/runtime/learned-identifier-types.ts
function createLearnedIdentifierTypes(meta, log) {
  const key = (spaceId) => `identity.learnedTypes.${spaceId}`;
  const learned = /* @__PURE__ */ new Map();
  return {
    load(spaceId) {
      const saved = meta.get(key(spaceId));
      const types = Array.isArray(saved) ? saved.filter((t) => typeof t === "string") : [];
      learned.set(spaceId, new Set(types));
      return types;
    },
    async add(spaceId, types) {
      const known = learned.get(spaceId) ?? /* @__PURE__ */ new Set();
      for (const type of types) known.add(type);
      learned.set(spaceId, known);
      await meta.put(key(spaceId), [...known]).catch((error) => log.warn({ err: error }, "could not store learned identifier types"));
    }
  };
}

// src/runtime/merge-log.ts
function createMergeLog(store) {
  return { list: (spaceId, limit, from) => newestFirst2(store.graphUpdates, spaceId, limit, from) };
}

// src/runtime/profile-deletion.ts
function createProfileDeletion(graph, pool, sequencer) {
  return async (spaceId, lookup) => {
    const view = graph.view(spaceId);
    const profileId = lookup.kind === "identifier" ? view.profileOf(lookup.identifier) : graph.liveProfile(lookup.profileId);
    if (profileId === void 0 || view.profile(profileId) === void 0 || graph.record(profileId)?.spaceId !== spaceId) return false;
    const writes = graph.stageDeletion(spaceId, profileId);
    const { done } = await sequencer.take();
    let erased;
    try {
      erased = pool.erase(pool.shardOf(profileId), profileId, writes);
    } finally {
      done();
    }
    try {
      await erased;
    } catch (error) {
      graph.discard(writes);
      throw error;
    }
    graph.settle(writes);
    return true;
  };
}

// src/runtime/profile-id.ts
import { randomBytes } from "node:crypto";
var BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function base62(value, width) {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}
var lastIdMs = 0;
var idSequence = 0;
function newProfileId() {
  const now = Math.max(Date.now(), lastIdMs);
  if (now === lastIdMs) idSequence++;
  else idSequence = 0;
  lastIdMs = now;
  let random = "";
  for (const byte of randomBytes(14)) random += BASE62[byte % 62];
  return asProfileId(`use_${base62(now, 9)}${base62(idSequence % 62 ** 4, 4)}${random}`);
}

// src/runtime/profile-reader.ts
function createProfileReader(store) {
  function findProfile(spaceId, lookup) {
    const profileId = lookup.kind === "identifier" ? store.identity.get([spaceId, lookup.identifier.type, lookup.identifier.value]) : lookup.profileId;
    if (profileId === void 0) return void 0;
    const state = store.profiles.get(profileId);
    return state !== void 0 && state.spaceId === spaceId ? state : void 0;
  }
  function* events(profile, scan) {
    if (scan.from > scan.to) return;
    const ids = [profile.id, ...profile.mergedFrom ?? []];
    if (ids.length === 1) {
      yield* scanOne(profile.id, scan);
      return;
    }
    const sign = scan.order === "asc" ? 1 : -1;
    const heads = ids.map((id) => {
      const iterator = scanOne(id, scan);
      return { iterator, event: iterator.next().value };
    });
    try {
      for (; ; ) {
        let best;
        let bestEvent;
        for (const head of heads) {
          if (head.event === void 0) continue;
          if (bestEvent === void 0 || sign * compareEvents(head.event, bestEvent) < 0) {
            best = head;
            bestEvent = head.event;
          }
        }
        if (best === void 0 || bestEvent === void 0) return;
        yield bestEvent;
        best.event = best.iterator.next().value;
      }
    } finally {
      for (const head of heads) head.iterator.return(void 0);
    }
  }
  function* scanOne(profileId, scan) {
    const low = [profileId, scan.from];
    const high = [profileId, Math.floor(scan.to) + 1];
    const { after } = scan;
    let range;
    if (scan.order === "asc") {
      const resume = after !== void 0 && after.timestamp >= scan.from;
      range = { start: resume ? [profileId, after.timestamp, after.messageId] : low, end: high };
    } else {
      const resume = after !== void 0 && after.timestamp <= scan.to;
      range = { start: resume ? [profileId, after.timestamp, after.messageId] : high, end: low, reverse: true };
    }
    for (const { value } of store.events.getRange(range)) {
      if (after !== void 0 && value.timestamp === after.timestamp && value.messageId === after.messageId) continue;
      if (value.timestamp < scan.from || value.timestamp > scan.to) continue;
      yield value;
    }
    return void 0;
  }
  return { findProfile, events };
}
function compareEvents(a, b) {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return Buffer.compare(Buffer.from(a.messageId, "utf8"), Buffer.from(b.messageId, "utf8"));
}

// src/runtime/shard-pool.ts
import { Piscina } from "piscina";

// src/runtime/shard/shard-of.ts
function shardOf(profileId, shardCount) {
  let hash = 2166136261;
  for (let i = 0; i < profileId.length; i++) {
    hash ^= profileId.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % shardCount;
}

// src/runtime/shard-pool.ts
var WORKER_FILE = new URL("../../workers/shard.worker.ts", import.meta.url).href;
function createShardPool(options) {
  const pools = Array.from({ length: options.shards }, (_, shardIndex) => {
    const workerData = {
      dataDir: options.dataDir,
      shardIndex,
      shardCount: options.shards,
      cacheSize: options.cacheSize
    };
    return new Piscina({
      filename: WORKER_FILE,
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: 64,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Workers load TypeScript through tsx, like the main thread (no build step).
      execArgv: ["--import", "tsx"],
      workerData
    });
  });
  const inFlight = pools.map(() => 0);
  async function send(shard, request, weight) {
    const pool = pools[shard];
    if (pool === void 0) throw new AppError("internal_error", `no shard ${shard}`);
    inFlight[shard] += weight;
    try {
      const stamped = options.definitionsVersion === void 0 ? request : { ...request, definitionsVersion: options.definitionsVersion() };
      const response = await pool.run(stamped);
      options.onCommitted?.();
      if (!response.ok) throw new AppError(response.error.code, response.error.message);
      return response.result;
    } finally {
      inFlight[shard] -= weight;
    }
  }
  return {
    count: options.shards,
    shardOf: (profileId) => shardOf(profileId, options.shards),
    deliver: (shard, request) => send(shard, { type: "shard.deliver", ...request }, request.messages.length),
    tick: (shard, now) => send(shard, { type: "shard.tick", now }, 0),
    release: (shard, profileIds) => send(shard, { type: "shard.release", profileIds }, 0),
    erase: (shard, profileId, identityWrites) => send(shard, { type: "shard.erase", profileId, identityWrites }, 0),
    backfill: (shard, chunk) => send(shard, { type: "shard.backfill", ...chunk }, 0),
    sweepDedup: (shard, cutoff, limit) => send(shard, { type: "shard.sweep-dedup", cutoff, limit }, 0),
    indexDedup: (shard, after, cutoff, limit) => send(shard, { type: "shard.index-dedup", after, cutoff, limit }, 0),
    depths: () => [...inFlight],
    async close() {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  };
}

// src/runtime/space-registry.ts
function createSpaceRegistry(spaces, learnedTypes = () => [], maxCustomTypes = DEFAULT_MAX_CUSTOM_TYPES) {
  const all = spaces.map((config) => ({
    config,
    id: config.id,
    // Types learned before a lower cap was configured are kept: profiles already hold them.
    identity: learnedTypes(config.id).reduce(withCustomType, identitySettingsFrom(config.identity, maxCustomTypes)),
    suppressedUserIds: new Set(config.suppressedUserIds)
  }));
  const byId = new Map(all.map((s) => [s.id, s]));
  const writeKeys = /* @__PURE__ */ new Map();
  const accessTokens = /* @__PURE__ */ new Map();
  const adminTokens = /* @__PURE__ */ new Map();
  for (const space2 of all) {
    for (const source of space2.config.writeKeys) writeKeys.set(source.key, { space: space2, source });
    for (const token of space2.config.accessTokens) accessTokens.set(token, space2);
    for (const token of space2.config.adminTokens) adminTokens.set(token, space2);
  }
  return {
    all,
    byId: (id) => byId.get(id),
    byWriteKey: (key) => writeKeys.get(key),
    byAccessToken: (token) => accessTokens.get(token),
    byAdminToken: (token) => adminTokens.get(token)
  };
}

// src/store/prefix-range.ts
function* entriesWithPrefix(db, prefix) {
  for (const entry of db.getRange({ start: [...prefix] })) {
    if (!startsWith(entry.key, prefix)) return;
    yield entry;
  }
}
function startsWith(key, prefix) {
  if (!Array.isArray(key) || key.length < prefix.length) return false;
  return prefix.every((part, i) => key[i] === part);
}

// src/runtime/suppressions.ts
function createSuppressions(store, spaces) {
  for (const space2 of spaces.all) {
    for (const { key } of entriesWithPrefix(store.suppressions, [space2.id])) space2.suppressedUserIds.add(key[1]);
  }
  const configured = (space2) => new Set(space2.config.suppressedUserIds);
  return {
    list(space2) {
      const fromConfig = configured(space2);
      const result = [...fromConfig].map((userId) => ({ userId, source: "config", at: null }));
      for (const { key, value } of entriesWithPrefix(store.suppressions, [space2.id])) {
        if (!fromConfig.has(key[1])) result.push({ userId: key[1], source: "api", at: value });
      }
      return result;
    },
    async add(space2, userId, at) {
      if (configured(space2).has(userId)) return { userId, source: "config", at: null };
      await store.suppressions.put([space2.id, userId], at);
      space2.suppressedUserIds.add(userId);
      return { userId, source: "api", at };
    },
    async remove(space2, userId) {
      if (configured(space2).has(userId)) return "config";
      if (store.suppressions.get([space2.id, userId]) === void 0) return "not_found";
      await store.suppressions.remove([space2.id, userId]);
      space2.suppressedUserIds.delete(userId);
      return "removed";
    }
  };
}

// src/runtime/timer-driver.ts
var MAX_ARM_MS = 36e5;
function createTimerDriver(pool, clock, onFired, onError2) {
  const nextDue = Array.from({ length: pool.count }, () => null);
  let armed;
  let armedFor = Number.POSITIVE_INFINITY;
  let stopped = false;
  let running;
  function earliest2() {
    let min = null;
    for (const due of nextDue) if (due !== null && (min === null || due < min)) min = due;
    return min;
  }
  function arm() {
    if (stopped || clock.kind === "manual") return;
    const due = earliest2();
    if (due === null || due >= armedFor) return;
    if (armed !== void 0) clearTimeout(armed);
    armedFor = due;
    const wait = Math.min(Math.max(0, due - clock.now()), MAX_ARM_MS);
    armed = setTimeout(() => {
      armed = void 0;
      armedFor = Number.POSITIVE_INFINITY;
      runDue().catch(onError2);
    }, wait);
    armed.unref();
  }
  async function tickAll() {
    const now = clock.now();
    const results2 = await Promise.all(
      Array.from({ length: pool.count }, (_, shard) => pool.tick(shard, now).then((r) => ({ shard, r })))
    );
    const effects = [];
    for (const { shard, r } of results2) {
      nextDue[shard] = r.nextTimerAt;
      effects.push(...r.effects);
    }
    onFired(effects);
    return effects;
  }
  async function runDue() {
    while (running !== void 0) await running.catch(() => void 0);
    running = tickAll();
    try {
      return await running;
    } finally {
      running = void 0;
      arm();
    }
  }
  return {
    noteNextTimer(shard, nextTimerAt) {
      nextDue[shard] = nextTimerAt;
      arm();
    },
    runDue,
    stop() {
      stopped = true;
      if (armed !== void 0) clearTimeout(armed);
    }
  };
}

// src/engine.ts
var MANUAL_CLOCK_KEY = "clock.manual.now";
async function createEngine(config, log) {
  const lock = lockDataDir(config.dataDir);
  try {
    return await startEngine(config, log, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}
async function startEngine(config, log, releaseLock) {
  const store = openEngineStore(config.dataDir);
  const manualClock = config.clock === "manual" ? openManualClock(store) : void 0;
  const clock = manualClock ?? createSystemClock();
  const learnedTypes = createLearnedIdentifierTypes(store.meta, log);
  const definitions = createDefinitionRegistry({ store, pool: () => pool, clock, log });
  const spaces = createSpaceRegistry(config.spaces, learnedTypes.load, config.maxCustomIdentifierTypesPerSpace);
  const pool = createShardPool({
    definitionsVersion: definitions.version,
    dataDir: config.dataDir,
    shards: config.shards,
    cacheSize: config.actorCacheSize,
    // Regression (crash-durability e2e): a stale snapshot after `settle` made a known user look
    // new, so a second profile took over its identifiers.
    onCommitted: () => store.root.resetReadTxn()
  });
  const metrics = createEngineMetrics(() => pool.depths());
  const graph = createIdentityGraphStore(store);
  const insights = createInsightsLog(store, log);
  const suppressions = createSuppressions(store, spaces);
  const sequencer = createDispatchSequencer();
  const deleteProfile = createProfileDeletion(graph, pool, sequencer);
  const deleteAccount = createAccountDeletion(graph, pool, sequencer, clock);
  const timers = createTimerDriver(
    pool,
    clock,
    (effects) => {
      const fired = effects.filter((e) => e.type === "timer.fired").length;
      if (fired > 0) metrics.timersFired.inc(fired);
    },
    (error) => log.error({ err: error }, "firing timers failed")
  );
  const ingest = createIngestService({
    store,
    pool,
    graph,
    metrics,
    timers,
    log,
    maxQueuedEventsPerShard: config.maxQueuedEventsPerShard,
    sequencer,
    newMessageId: () => `troupe-${randomUUID4()}`,
    newProfileId,
    onNewIdentifierTypes: (space2, types) => learnedTypes.add(space2.id, types),
    onViolations: (space2, event, violations) => insights.record(space2.id, event, violations, event.receivedAt)
  });
  await timers.runDue();
  definitions.resumeBackfills();
  const dedupSweeper = createDedupSweeper({ pool, clock, meta: store.meta, windowMs: config.dedupWindowHours * 60 * 60 * 1e3, log });
  dedupSweeper.start();
  let ready = true;
  const app = new Hono7();
  app.use(requestContext(log));
  app.onError(createOnError({ onClientAbort: () => metrics.clientAborts.inc() }));
  app.notFound((c) => errorResponse(c, "not_found", `No route ${c.req.method} ${c.req.path}.`));
  app.route("/", createHealthApp({ isReady: () => ready, registry: metrics.registry }));
  app.route("/", createTrackingApp({ spaces, ingest, clock }));
  app.route("/", createProfilesApp({ spaces: config.spaces, reader: createProfileReader(store), clock, traitClasses: definitions.liveKeys }));
  app.route("/", createIdentityAdminApp({ spaces, insights, mergeLog: createMergeLog(store), suppressions, deleteProfile, deleteAccount, clock }));
  app.route("/", createDefinitionsApp({ spaces, definitions }));
  async function advanceClockTo(now) {
    if (manualClock === void 0) throw new Error("advanceClockTo needs the manual clock");
    if (!manualClock.set(now)) throw new Error("the manual clock cannot move backwards");
    await store.meta.put(MANUAL_CLOCK_KEY, now);
    const effects = await timers.runDue();
    await dedupSweeper.sweep();
    return effects;
  }
  app.route("/", createAdminApp({ spaces, clock, advanceTo: async (now) => void await advanceClockTo(now) }));
  return {
    app,
    clock,
    store,
    spaces,
    ingest,
    metrics,
    timers,
    definitions,
    dedupSweeper,
    advanceClockTo,
    async close() {
      ready = false;
      timers.stop();
      await definitions.close();
      await dedupSweeper.stop();
      await pool.close();
      await store.close();
      releaseLock();
    }
  };
}
function openManualClock(store) {
  const saved = store.meta.get(MANUAL_CLOCK_KEY);
  const start = typeof saved === "number" ? saved : Date.now();
  if (saved === void 0) store.meta.putSync(MANUAL_CLOCK_KEY, start);
  return createManualClock(start);
}

// src/runtime/shard/compute-lag.ts
var LAG_LIMIT = 8;
function isStateOnlyChange(before, after) {
  if (before === void 0 || after === void 0) return false;
  if (before.layout !== after.layout || before.slots.length !== after.slots.length) return false;
  for (let i = 0; i < after.slots.length; i++) {
    const next = after.slots[i];
    const previous = before.slots[i];
    if (next === previous) continue;
    if (next === void 0 || previous === void 0) return false;
    if (next.revision !== previous.revision || next.due !== previous.due || next.id !== previous.id) return false;
  }
  return true;
}
function replayLag(written, events, set, now) {
  const aligned = alignComputeStates(written, set);
  const slots = aligned.slots.slice();
  const touched = /* @__PURE__ */ new Set();
  for (const event of events) {
    const name2 = occurrenceName(event);
    if (name2 === void 0) continue;
    for (const definition of set.byEvent.get(name2) ?? []) {
      const entry = slots[definition.rank];
      if (entry === void 0 || entry.revision !== definition.revision) continue;
      slots[definition.rank] = { ...entry, state: definition.evaluator.observe(entry.state, event, now) };
      touched.add(definition.rank);
    }
  }
  for (const rank of touched) {
    const entry = slots[rank];
    slots[rank] = { ...entry, state: set.ordered[rank].evaluator.prune(entry.state, now) };
  }
  return { layout: aligned.layout, slots };
}
function computeWrites(stored, next) {
  const puts = [];
  if (next === stored) return { puts, removes: [] };
  if (next !== void 0 && stored !== void 0 && next.layout === stored.layout && next.slots.length === stored.slots.length) {
    for (let i = 0; i < next.slots.length; i++) {
      const entry = next.slots[i];
      if (entry !== stored.slots[i] && entry !== void 0) puts.push(entry);
    }
    return { puts, removes: [] };
  }
  const before = new Map(computeEntries(stored).map((entry) => [entry.id, entry]));
  for (const entry of computeEntries(next)) {
    if (before.get(entry.id) !== entry) puts.push(entry);
    before.delete(entry.id);
  }
  return { puts, removes: [...before.keys()] };
}

// src/runtime/shard/actor-cache.ts
var ActorCache = class {
  /** `onDrop` hears of every actor that leaves the cache (evicted or forgotten). */
  constructor(capacity, onDrop = () => {
  }) {
    this.capacity = capacity;
    this.onDrop = onDrop;
  }
  capacity;
  onDrop;
  states = /* @__PURE__ */ new Map();
  pinned = /* @__PURE__ */ new Map();
  get(profileId) {
    const state = this.states.get(profileId);
    if (state !== void 0) {
      this.states.delete(profileId);
      this.states.set(profileId, state);
    }
    return state;
  }
  /** Keeps a state just loaded from LMDB (unpinned: it is what LMDB holds). */
  remember(profileId, state) {
    this.states.delete(profileId);
    this.states.set(profileId, state);
  }
  /** Stores a state that is about to be committed; it stays pinned until `unpin`. */
  setPending(profileId, state) {
    this.states.delete(profileId);
    this.states.set(profileId, state);
    this.pinned.set(profileId, (this.pinned.get(profileId) ?? 0) + 1);
  }
  /** Replaces a state already pinned by this delivery (a second step of the same profile). */
  replacePending(profileId, state) {
    this.states.delete(profileId);
    this.states.set(profileId, state);
  }
  unpin(profileId) {
    const count = (this.pinned.get(profileId) ?? 1) - 1;
    if (count <= 0) this.pinned.delete(profileId);
    else this.pinned.set(profileId, count);
  }
  /** Forgets an actor (after a failed commit), so it is reloaded from what LMDB holds. */
  forget(profileId) {
    this.states.delete(profileId);
    this.onDrop(profileId);
  }
  /** Evicts unpinned actors, oldest first, down to capacity. */
  trim() {
    if (this.states.size <= this.capacity) return;
    for (const id of this.states.keys()) {
      if (this.states.size <= this.capacity) break;
      if (!this.pinned.has(id)) {
        this.states.delete(id);
        this.onDrop(id);
      }
    }
  }
};

// src/runtime/shard/shard-definitions.ts
import { createHash as createHash3 } from "node:crypto";

// src/definitions/definition-record.ts
function isEvaluated(record) {
  return record.deletedAt === void 0 && record.enabled && record.lifecycle.status !== "Failed";
}

// src/runtime/shard/shard-definitions.ts
var NO_SHARD_DEFINITIONS = {
  version: 0,
  forSpace: () => NO_DEFINITIONS,
  audiencesOf: () => /* @__PURE__ */ new Map(),
  fingerprintOf: () => NO_FINGERPRINT,
  spaces: () => []
};
var NO_FINGERPRINT = "none";
var ARCHIVED_LAYOUT = -2;
function compileArchivedDefinitions(archived) {
  return { users: compileSafely(archived.users, ARCHIVED_LAYOUT), accounts: compileSafely(archived.accounts, ARCHIVED_LAYOUT) };
}
function fingerprint(live) {
  const ids = [...live.users.map((d) => `u:${d.id}@${d.revision}`), ...live.accounts.map((d) => `a:${d.id}@${d.revision}`)].sort();
  if (ids.length === 0) return NO_FINGERPRINT;
  return createHash3("sha1").update(ids.join("\n")).digest("base64url").slice(0, 16);
}
function compileShardDefinitions(records2, version) {
  const bySpace = /* @__PURE__ */ new Map();
  for (const record of records2) {
    if (!isEvaluated(record)) continue;
    let space2 = bySpace.get(record.spaceId);
    if (space2 === void 0) {
      space2 = { users: [], accounts: [], audiences: /* @__PURE__ */ new Map() };
      bySpace.set(record.spaceId, space2);
    }
    const live = {
      id: record.id,
      key: record.key,
      kind: record.kind,
      revision: record.revision,
      ast: record.ast,
      includeAnonymousUsers: record.options.includeAnonymousUsers
    };
    (record.target === "ACCOUNTS" ? space2.accounts : space2.users).push(live);
    if (record.kind === "audience") space2.audiences.set(record.key, record.id);
  }
  const compiled = /* @__PURE__ */ new Map();
  const fingerprints = /* @__PURE__ */ new Map();
  for (const [spaceId, space2] of bySpace) {
    compiled.set(spaceId, { users: compileSafely(space2.users, version), accounts: compileSafely(space2.accounts, version) });
    fingerprints.set(spaceId, fingerprint(space2));
  }
  return {
    version,
    forSpace: (spaceId) => compiled.get(spaceId) ?? NO_DEFINITIONS,
    audiencesOf: (spaceId) => bySpace.get(spaceId)?.audiences ?? /* @__PURE__ */ new Map(),
    fingerprintOf: (spaceId) => fingerprints.get(spaceId) ?? NO_FINGERPRINT,
    spaces: () => [...bySpace].map(([spaceId, { users, accounts }]) => ({ spaceId, fingerprint: fingerprints.get(spaceId), live: { users, accounts } }))
  };
}
function compileSafely(definitions, version) {
  try {
    return compileDefinitionSet(definitions, version);
  } catch {
    const compilable = definitions.filter((definition) => {
      try {
        compileDefinition(definition.ast);
        return true;
      } catch {
        return false;
      }
    });
    const order = orderDefinitions(compilable, (d) => compileDefinition(d.ast).traitKeys);
    const inCycle = new Set(order.ok ? [] : order.cycle.keys);
    return compileDefinitionSet(
      compilable.filter((d) => !inCycle.has(d.key)),
      version
    );
  }
}
function membershipsOf(state, audiences) {
  if (state === void 0 || audiences.size === 0) return [];
  const ids = [];
  for (const [key, id] of audiences) {
    if (Object.hasOwn(state.traits, key) && state.traits[key]?.value === true) ids.push(id);
  }
  return ids;
}

// src/runtime/shard/timer-heap.ts
var TimerHeap = class {
  items = [];
  cancelled = /* @__PURE__ */ new Map();
  cancelledCount = 0;
  /** Live timers. */
  get size() {
    return this.items.length - this.cancelledCount;
  }
  /** Forgets a pushed timer (its key was rescheduled or cleared). */
  cancel(timer) {
    const id = timerId(timer);
    this.cancelled.set(id, (this.cancelled.get(id) ?? 0) + 1);
    this.cancelledCount += 1;
    if (this.cancelledCount > 1024 && this.cancelledCount * 2 > this.items.length) this.compact();
  }
  push(timer) {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = i - 1 >> 1;
      if (items[parent].dueAt <= timer.dueAt) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = timer;
  }
  peek() {
    while (this.items.length > 0 && this.consumeCancelled(this.items[0])) this.pop();
    return this.items[0];
  }
  /** Removes and returns every live timer due at or before `now`, earliest first. */
  popDue(now) {
    const due = [];
    while (this.items.length > 0 && this.items[0].dueAt <= now) {
      const timer = this.pop();
      if (!this.consumeCancelled(timer)) due.push(timer);
    }
    return due;
  }
  consumeCancelled(timer) {
    if (this.cancelledCount === 0) return false;
    const id = timerId(timer);
    const count = this.cancelled.get(id);
    if (count === void 0) return false;
    if (count <= 1) this.cancelled.delete(id);
    else this.cancelled.set(id, count - 1);
    this.cancelledCount -= 1;
    return true;
  }
  compact() {
    const live = this.items.filter((timer) => !this.consumeCancelled(timer));
    this.cancelled.clear();
    this.cancelledCount = 0;
    this.items = [];
    for (const timer of live) this.push(timer);
  }
  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) {
      let i = 0;
      const n = items.length;
      for (; ; ) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && items[right].dueAt < items[left].dueAt ? right : left;
        if (items[child].dueAt >= last.dueAt) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
};
function timerId(timer) {
  return `${timer.dueAt}\0${timer.profileId}\0${timer.key}`;
}

// src/runtime/shard/shard-runtime.ts
var RELEASED_PRUNE_AT = 256;
function createShardRuntime(options) {
  const { store, shardIndex, shardCount } = options;
  const lagLimit = options.lagLimit ?? LAG_LIMIT;
  const behind = /* @__PURE__ */ new Map();
  const cache = new ActorCache(options.cacheSize, (profileId) => behind.delete(profileId));
  const archivedSets = /* @__PURE__ */ new Map();
  const archived = /* @__PURE__ */ new Set();
  let archives = [];
  let lastNow = 0;
  const heap = loadOwnedTimers();
  const pendingCommits = /* @__PURE__ */ new Map();
  const uncommitted = /* @__PURE__ */ new Map();
  const released = /* @__PURE__ */ new Set();
  let definitions = NO_SHARD_DEFINITIONS;
  const audienceSizes = /* @__PURE__ */ new Map();
  function useDefinitions(version) {
    if (version <= definitions.version) return;
    store.root.resetReadTxn();
    definitions = compileShardDefinitions(store.definitions.getRange().map(({ value }) => value), version);
    for (const space2 of definitions.spaces()) {
      const id = `${space2.spaceId}\0${space2.fingerprint}`;
      if (archived.has(id)) continue;
      archived.add(id);
      if (store.computeSets.get([space2.spaceId, space2.fingerprint]) === void 0) archives.push(space2);
    }
  }
  function adjustSize(audienceId, delta, writes) {
    if (delta === 0) return;
    const current = audienceSizes.get(audienceId) ?? store.definitionSizes.get([audienceId, shardIndex]) ?? 0;
    audienceSizes.set(audienceId, current + delta);
    writes.sizesChanged.add(audienceId);
  }
  function countMemberships(spaceId, before, after, writes) {
    const audiences = definitions.audiencesOf(spaceId);
    if (audiences.size === 0) return;
    for (const id of membershipsOf(before, audiences)) adjustSize(id, -1, writes);
    for (const id of membershipsOf(after, audiences)) adjustSize(id, 1, writes);
  }
  let pruneReleasedAt = RELEASED_PRUNE_AT;
  const erasing = /* @__PURE__ */ new Set();
  function loadOwnedTimers() {
    const loaded = new TimerHeap();
    for (const key of store.timers.getKeys()) {
      const [dueAt, profileId, timerKey] = key;
      if (shardOf(profileId, shardCount) === shardIndex) loaded.push({ dueAt, profileId, key: timerKey });
    }
    return loaded;
  }
  function load(profileId, now = lastNow) {
    const cached = cache.get(profileId);
    if (cached !== void 0) return cached;
    if (erasing.has(profileId)) return void 0;
    const stored = store.profiles.get(profileId);
    if (stored === void 0) return void 0;
    const { computeLag, ...record } = stored;
    const compute = loadCompute(profileId);
    if (computeLag === void 0) return compute === void 0 ? record : { ...record, compute };
    const state = { ...record, compute: replayLagged(record, compute, computeLag, now) };
    cache.remember(profileId, state);
    behind.set(profileId, { stored: compute, lag: computeLag });
    return state;
  }
  function replayLagged(record, compute, lag, now) {
    const collection = record.collection ?? "users";
    const set = setOf(record.spaceId, lag.set)?.[collection];
    if (set === void 0) return compute;
    const events = [];
    for (const [timestamp, messageId] of lag.events) {
      const event = store.events.get([record.id, timestamp, messageId]);
      if (event !== void 0) events.push(event);
    }
    return replayLag(compute, events, set, now);
  }
  function setOf(spaceId, fingerprint2) {
    if (definitions.fingerprintOf(spaceId) === fingerprint2) return definitions.forSpace(spaceId);
    const id = `${spaceId}\0${fingerprint2}`;
    if (!archivedSets.has(id)) {
      const live = store.computeSets.get([spaceId, fingerprint2]);
      archivedSets.set(id, live === void 0 ? void 0 : compileArchivedDefinitions(live));
    }
    return archivedSets.get(id);
  }
  function loadCompute(profileId) {
    const slots = [];
    for (const { value } of store.compute.getRange(computeRange(profileId))) slots.push(value);
    return slots.length === 0 ? void 0 : { layout: UNALIGNED, slots };
  }
  function isMergedAway(profileId) {
    return store.graphProfiles.get(profileId)?.mergedInto !== void 0;
  }
  function pruneReleased() {
    if (released.size < pruneReleasedAt) return;
    for (const id of released) if (isMergedAway(id)) released.delete(id);
    pruneReleasedAt = Math.max(RELEASED_PRUNE_AT, 2 * released.size);
  }
  async function deliver(messages2, now, identityWrites = NO_IDENTITY_WRITES) {
    const writes = newPendingWrites(archives);
    archives = [];
    lastNow = Math.max(lastNow, now);
    const effects = [];
    try {
      stepAll(messages2, now, writes, effects);
    } catch (error) {
      for (const id of writes.states.keys()) {
        cache.unpin(id);
        cache.forget(id);
      }
      for (const id of writes.sizesChanged) audienceSizes.delete(id);
      throw error;
    }
    return commitDelivery(writes, effects, identityWrites);
  }
  function stepAll(messages2, now, writes, effects) {
    for (const message of messages2) {
      if (message.type === "timer.fired") touchTimer(writes, [message.dueAt, message.profileId, message.key], false);
      if (released.has(message.profileId)) continue;
      const before = load(message.profileId, now);
      if (before === void 0 && isMergedAway(message.profileId)) continue;
      const result = stepProfile(before, message, now, definitions.forSpace(message.spaceId));
      if (!result.changed || result.state === void 0) continue;
      if (!writes.storedCompute.has(message.profileId)) writes.storedCompute.set(message.profileId, storedComputeOf(message.profileId, before));
      trackLag(message, before, result.state, writes);
      countMemberships(message.spaceId, before, result.state, writes);
      if (writes.states.has(message.profileId)) cache.replacePending(message.profileId, result.state);
      else cache.setPending(message.profileId, result.state);
      writes.states.set(message.profileId, result.state);
      if (message.type === "profile.track") {
        writes.events.push({ spaceId: message.spaceId, event: message.event, profileId: message.profileId });
        if (before === void 0 && message.account === void 0) {
          const { messageId, type, receivedAt } = message.event;
          logGraphUpdate(writes, message.spaceId, message.profileId, message.profileId, { messageId, eventType: type, at: receivedAt });
        }
      } else if (message.type === "profile.absorb" && message.loserId !== message.profileId) {
        writes.absorbed.push(message.loserId);
        if (writes.states.delete(message.loserId)) {
          cache.unpin(message.loserId);
          cache.forget(message.loserId);
        }
        countMemberships(message.spaceId, message.absorbed, void 0, writes);
        writes.absorbedCompute.push({ profileId: message.loserId, definitionIds: computeEntries(message.absorbed?.compute).map((e) => e.id) });
        logGraphUpdate(writes, message.spaceId, message.loserId, message.profileId, message.trigger);
      }
      for (const effect of result.effects) {
        effects.push(effect);
        recordTimerEffect(effect, writes);
      }
    }
  }
  function storedComputeOf(profileId, state) {
    const lagging = behind.get(profileId);
    return lagging === void 0 ? state?.compute : lagging.stored;
  }
  function trackLag(message, before, after, writes) {
    const id = message.profileId;
    if (after.compute !== before?.compute) {
      const lagging = behind.get(id);
      const fingerprint2 = definitions.fingerprintOf(message.spaceId);
      const canLag = message.type === "profile.track" && (lagging === void 0 ? lagLimit > 0 : lagging.lag.set === fingerprint2 && lagging.lag.events.length < lagLimit) && isStateOnlyChange(before?.compute, after.compute);
      if (canLag) {
        const lagged = [message.event.timestamp, message.event.messageId];
        behind.set(id, { stored: lagging === void 0 ? before?.compute : lagging.stored, lag: { set: fingerprint2, events: lagging === void 0 ? [lagged] : [...lagging.lag.events, lagged] } });
      } else {
        behind.delete(id);
      }
    }
    writes.behind.set(id, behind.get(id));
  }
  async function commitDelivery(writes, effects, identityWrites) {
    const nothingToWrite = writes.states.size === 0 && writes.archives.length === 0 && writes.timers.size === 0 && writes.sizesChanged.size === 0 && identityWrites.identifiers.length === 0 && identityWrites.profiles.length === 0;
    if (nothingToWrite) return { effects, nextTimerAt: heap.peek()?.dueAt ?? null };
    const commit = store.root.transaction(() => {
      for (const { spaceId, event, profileId } of writes.events) {
        store.events.put([profileId, event.timestamp, event.messageId], event);
        store.dedup.put([spaceId, event.messageId], event.receivedAt);
        store.dedupExpiry.put([event.receivedAt, spaceId, event.messageId], true);
      }
      for (const { spaceId, fingerprint: fingerprint2, live } of writes.archives) store.computeSets.put([spaceId, fingerprint2], live);
      for (const [profileId, state] of writes.states) writeState(profileId, state, writes.storedCompute.get(profileId), writes.behind.get(profileId));
      for (const loserId of writes.absorbed) store.profiles.remove(loserId);
      for (const { profileId, definitionIds } of writes.absorbedCompute) for (const id of definitionIds) store.compute.remove([profileId, id]);
      for (const id of writes.sizesChanged) store.definitionSizes.put([id, shardIndex], audienceSizes.get(id) ?? 0);
      for (const { key, record } of writes.graphUpdates) store.graphUpdates.put(key, record);
      for (const { key, present } of writes.timers.values()) {
        if (present) store.timers.put(key, true);
        else store.timers.remove(key);
      }
      applyIdentityWrites(identityWrites);
    });
    for (const id of writes.states.keys()) pendingCommits.set(id, commit);
    for (const { profileId, event } of writes.events) {
      const list = uncommitted.get(profileId);
      if (list === void 0) uncommitted.set(profileId, [event]);
      else list.push(event);
    }
    try {
      await commit;
    } catch (error) {
      for (const id of writes.states.keys()) cache.forget(id);
      for (const id of writes.sizesChanged) audienceSizes.delete(id);
      for (const { spaceId, fingerprint: fingerprint2 } of writes.archives) archived.delete(`${spaceId}\0${fingerprint2}`);
      throw error;
    } finally {
      for (const id of writes.states.keys()) {
        cache.unpin(id);
        if (pendingCommits.get(id) === commit) pendingCommits.delete(id);
      }
      for (const { profileId, event } of writes.events) {
        const list = uncommitted.get(profileId);
        const at = list?.indexOf(event) ?? -1;
        if (list !== void 0 && at >= 0) list.splice(at, 1);
        if (list?.length === 0) uncommitted.delete(profileId);
      }
      cache.trim();
    }
    return { effects, nextTimerAt: heap.peek()?.dueAt ?? null };
  }
  function writeState(profileId, state, stored, lagging) {
    const { compute, ...record } = state;
    store.profiles.put(profileId, lagging === void 0 ? record : { ...record, computeLag: lagging.lag });
    const { puts, removes } = computeWrites(stored, lagging === void 0 ? compute : lagging.stored);
    for (const entry of puts) store.compute.put([profileId, entry.id], entry);
    for (const id of removes) store.compute.remove([profileId, id]);
  }
  function logGraphUpdate(writes, spaceId, segmentId, canonicalSegmentId, trigger) {
    writes.graphUpdates.push({
      key: [spaceId, trigger.at, trigger.messageId, segmentId],
      record: { segmentId, canonicalSegmentId, triggeringEventType: trigger.eventType, triggeringMessageId: trigger.messageId, at: trigger.at }
    });
  }
  function applyIdentityWrites(identityWrites) {
    for (const { key, profileId } of identityWrites.identifiers) {
      if (profileId === null) store.identity.remove(key);
      else if (!released.has(profileId)) store.identity.put(key, profileId);
    }
    for (const record of identityWrites.profiles) {
      if (record.mergedInto !== void 0 || !released.has(record.id)) store.graphProfiles.put(record.id, record);
    }
    for (const id of identityWrites.removedProfiles ?? []) store.graphProfiles.remove(id);
  }
  function recordTimerEffect(effect, writes) {
    switch (effect.type) {
      case "timer.set":
        touchTimer(writes, [effect.dueAt, effect.profileId, effect.key], true);
        heap.push({ dueAt: effect.dueAt, profileId: effect.profileId, key: effect.key });
        return;
      case "timer.cleared":
        touchTimer(writes, [effect.dueAt, effect.profileId, effect.key], false);
        heap.cancel({ dueAt: effect.dueAt, profileId: effect.profileId, key: effect.key });
        return;
      case "timer.fired":
        return;
    }
  }
  function tick(now) {
    const due = heap.popDue(now);
    const messages2 = [];
    for (const timer of due) {
      const state = load(timer.profileId, now);
      if (state === void 0) continue;
      messages2.push({ type: "timer.fired", profileId: state.id, spaceId: state.spaceId, key: timer.key, dueAt: timer.dueAt });
    }
    return deliver(messages2, now);
  }
  async function release2(profileIds) {
    await Promise.allSettled(profileIds.map((id) => pendingCommits.get(id)));
    pruneReleased();
    const states = profileIds.map((id) => {
      const state = load(id);
      released.add(id);
      cache.forget(id);
      return state;
    });
    return { states };
  }
  async function erase(profileId, identityWrites) {
    const state = load(profileId);
    erasing.add(profileId);
    cache.forget(profileId);
    const histories = [profileId, ...state?.mergedFrom ?? []];
    const writes = newPendingWrites();
    countMemberships(state?.spaceId ?? "", state, void 0, writes);
    const committed = store.root.transaction(() => {
      store.profiles.remove(profileId);
      for (const { id, due } of computeEntries(state?.compute)) {
        store.compute.remove([profileId, id]);
        if (due !== void 0) store.timers.remove([due, profileId, definitionTimerKey(id)]);
      }
      for (const id of writes.sizesChanged) store.definitionSizes.put([id, shardIndex], audienceSizes.get(id) ?? 0);
      for (const id of histories) {
        for (const key of store.events.getKeys({ start: [id], end: [id, Number.POSITIVE_INFINITY] })) store.events.remove(key);
      }
      for (const [key, dueAt] of Object.entries(state?.timers ?? {})) store.timers.remove([dueAt, profileId, key]);
      for (const loser of state?.mergedFrom ?? []) store.graphProfiles.remove(loser);
      applyIdentityWrites(identityWrites);
    });
    try {
      await committed;
    } finally {
      erasing.delete(profileId);
    }
    return { state };
  }
  async function backfill2(chunk) {
    const picked = [];
    let scanned = 0;
    let next;
    for (const key of store.profiles.getKeys(chunk.after === void 0 ? {} : { start: chunk.after })) {
      if (key === chunk.after) continue;
      scanned += 1;
      next = key;
      if (shardOf(key, shardCount) === shardIndex && !released.has(key) && store.profiles.get(key)?.spaceId === chunk.spaceId) picked.push(key);
      if (picked.length >= chunk.limit || scanned >= chunk.limit * 16) break;
    }
    const done = scanned < chunk.limit * 16 && picked.length < chunk.limit;
    store.root.resetReadTxn();
    let events = 0;
    const messages2 = [];
    for (const profileId of picked) {
      if (released.has(profileId)) continue;
      const state = load(profileId, chunk.now);
      if (state === void 0) continue;
      const history = chunk.replay ? readHistory(profileId, state.mergedFrom, chunk.fromTimestamp) : void 0;
      events += history?.length ?? 0;
      messages2.push({ type: "profile.backfill", profileId: state.id, spaceId: state.spaceId, definitionId: chunk.definitionId, ...history === void 0 ? {} : { events: history } });
    }
    await deliver(messages2, chunk.now);
    return { next: done ? void 0 : next, scanned, profiles: messages2.length, events };
  }
  function readHistory(profileId, mergedFrom, from) {
    const history = [];
    const pending = uncommitted.get(profileId) ?? [];
    const seen = new Set(pending.map((event) => event.messageId));
    for (const event of pending) if (from === void 0 || event.timestamp >= from) history.push(event);
    for (const id of [profileId, ...mergedFrom]) {
      const range = { start: from === void 0 ? [id] : [id, from], end: [id, Number.POSITIVE_INFINITY] };
      for (const { value } of store.events.getRange(range)) if (!seen.has(value.messageId)) history.push(value);
    }
    return history;
  }
  return {
    deliver,
    tick,
    release: release2,
    erase,
    backfill: backfill2,
    useDefinitions,
    sizes: () => ({ released: released.size, erasing: erasing.size, pendingCommits: pendingCommits.size })
  };
}
function newPendingWrites(archives = []) {
  return {
    events: [],
    states: /* @__PURE__ */ new Map(),
    storedCompute: /* @__PURE__ */ new Map(),
    behind: /* @__PURE__ */ new Map(),
    archives,
    absorbedCompute: [],
    sizesChanged: /* @__PURE__ */ new Set(),
    absorbed: [],
    graphUpdates: [],
    timers: /* @__PURE__ */ new Map()
  };
}
function touchTimer(writes, key, present) {
  writes.timers.set(`${key[0]}\0${key[1]}\0${key[2]}`, { key, present });
}
function computeRange(profileId) {
  return { start: [profileId], end: [`${profileId}\0`] };
}

// bench/measure.ts
async function measureRate(unitsPerRun, work, minMs = 1500) {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) await work();
  let units = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await work();
    units += unitsPerRun;
  }
  return units / ((performance.now() - start) / 1e3);
}
function formatRate(rate, unit = "events") {
  return `${Math.round(rate).toLocaleString("en-US")} ${unit}/s`;
}

// test/support/definition-record.ts
function definitionRecord(spec, extra = {}) {
  const parsed = parseDefinition(spec.query, { kind: spec.kind });
  if (!parsed.ok) throw new Error(`${spec.key}: ${parsed.error.message}`);
  return {
    id: spec.id,
    spaceId: spec.spaceId ?? "default",
    kind: spec.kind,
    key: spec.key,
    name: spec.key,
    query: spec.query,
    target: "USERS",
    ast: parsed.value,
    revision: 1,
    enabled: true,
    options: { includeHistoricalData: true, includeAnonymousUsers: false },
    lifecycle: { status: "Live" },
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 1),
    ...extra
  };
}

// bench/definitions-fixture.ts
var BENCH_EVENT_NAMES = [
  "Order Completed",
  "Product Viewed",
  "Product Added",
  "Checkout Started",
  "Signed Up",
  "Logged In",
  "Coupon Applied",
  "Review Written",
  "Wishlist Added",
  "Subscription Renewed"
];
function name(i) {
  return BENCH_EVENT_NAMES[i % BENCH_EVENT_NAMES.length];
}
function benchDefinitions(spaceId) {
  const queries = [];
  for (let i = 0; i < 20; i++) {
    const e = name(i);
    const reducers = [
      `event('${e}').within(30 days).sum(property('total'))`,
      `event('${e}').within(7 days).avg(property('total'))`,
      `event('${e}').min(property('total'))`,
      `event('${e}').within(90 days).max(property('currency') as string)`,
      `event('${e}').within(30 days).mode(property('currency'), 2)`,
      `event('${e}').first(property('total'))`,
      `event('${e}').within(14 days).last(property('total'))`,
      `event('${e}').unique(property('currency')).count()`,
      `event('${e}').within(30 days).count()`,
      `event('${e}').where(property('total') >= 100).count()`
    ];
    queries.push({ kind: "computed_trait", key: `trait_${i}`, query: reducers[i % reducers.length] });
  }
  for (let i = 0; i < 50; i++) {
    const e = name(i);
    const next = name(i + 1);
    const shapes = [
      `event('${e}').within(7 days).count() >= 2`,
      `event('${e}').where(property('total') > 100).within(30 days).count() >= 1`,
      `event('${e}').where(event('${next}').within(parent: 1 days).count() = 0).within(7 days).count() >= 1`,
      `trait('plan') = 'pro' AND event('${e}').between(1 days, 30 days).count() >= 1`,
      `trait('trait_${i % 20}') > 100 OR event('${e}').within(90 days).count() >= 3`
    ];
    queries.push({ kind: "audience", key: `audience_${i}`, query: shapes[i % shapes.length] });
  }
  return queries.map(({ kind, key, query }, i) => definitionRecord({ id: `${kind === "audience" ? "aud" : "trt"}_bench_${i}`, key, kind, query, spaceId }));
}

// bench/micro.ts
var execFileAsync = promisify2(execFile);
var space = asSpaceId("default");
var T0 = Date.UTC(2026, 0, 1);
var results = {};
function sampleItem(i) {
  return {
    type: i % 5 === 0 ? "identify" : "track",
    userId: `user-${i % 5e3}`,
    anonymousId: `anon-${i % 5e3}`,
    event: "Order Completed",
    messageId: `m-${i}-${Math.random().toString(36).slice(2)}`,
    properties: { total: i % 300, currency: "USD", items: [{ sku: "A-1", qty: 2 }] },
    traits: { email: `user-${i % 5e3}@example.com`, plan: "pro" },
    context: { library: { name: "analytics-node", version: "3.1.0" }, ip: "127.0.0.1" },
    timestamp: new Date(T0 + i).toISOString()
  };
}
function batchBody(size, offset) {
  return JSON.stringify({ batch: Array.from({ length: size }, (_, i) => sampleItem(offset + i)), sentAt: new Date(T0).toISOString() });
}
async function validateStage() {
  const body = batchBody(100, 0);
  results["validate+normalise"] = await measureRate(100, () => parseTrackingRequest({ route: "batch", body, receivedAt: T0 }));
}
function validatedEvents(count) {
  const parsed = parseTrackingRequest({ route: "batch", body: batchBody(count, 0), receivedAt: T0 });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.items.map((item) => {
    if (!item.ok) throw new Error(item.error.message);
    return { ...item.event, messageId: item.event.messageId ?? "m", sourceId: "src_bench" };
  });
}
async function identityStage(dir) {
  const store = openEngineStore(join3(dir, "identity"));
  const graph = createIdentityGraphStore(store);
  const settings = identitySettingsFrom(void 0);
  const events = validatedEvents(1e3);
  for (const event of events) {
    const { identifiers } = extractIdentifiers(event, settings);
    const r = resolveIdentity({ identifiers, at: T0, messageId: event.messageId, sourceId: "src", eventType: event.type }, graph.view(space), settings, newProfileId);
    if (r.kind === "resolved") {
      const writes = graph.stage(space, r);
      await store.root.transaction(() => {
        for (const { key, profileId } of writes.identifiers) if (profileId !== null) store.identity.put(key, profileId);
        for (const p of writes.profiles) store.graphProfiles.put(p.id, p);
      });
      graph.settle(writes);
    }
  }
  const view = graph.view(space);
  results["identity: extract+resolve (known)"] = await measureRate(events.length, () => {
    for (const event of events) {
      const { identifiers } = extractIdentifiers(event, settings);
      resolveIdentity({ identifiers, at: T0, messageId: event.messageId, sourceId: "src", eventType: event.type }, view, settings, newProfileId);
    }
  });
  let n = 0;
  results["identity: extract+resolve+stage (new)"] = await measureRate(1e3, () => {
    for (let i = 0; i < 1e3; i++) {
      n++;
      const identifiers = [{ type: "user_id", value: `new-${n}` }, { type: "anonymous_id", value: `anon-new-${n}` }];
      const r = resolveIdentity({ identifiers, at: T0, messageId: `x${n}`, sourceId: "src", eventType: "track" }, view, settings, newProfileId);
      if (r.kind === "resolved") {
        graph.settle(graph.stage(space, r));
      }
    }
  });
  await store.close();
}
function namedEvents(count) {
  return validatedEvents(count).map((event, i) => event.type === "track" ? { ...event, event: BENCH_EVENT_NAMES[i % BENCH_EVENT_NAMES.length] } : event);
}
function knownTrack(profileId, event) {
  return {
    type: "profile.track",
    profileId,
    spaceId: space,
    event,
    newIdentifiers: [{ type: "user_id", value: profileId, addedAt: T0, firstMessageId: "m", sourceId: "src" }]
  };
}
var liveDefinitions = () => compileShardDefinitions(benchDefinitions(space), 1).forSpace(space);
async function actorStage() {
  const events = namedEvents(1e3);
  for (const [label2, definitions] of [
    ["actor step", void 0],
    ["actor step, 70 definitions live", liveDefinitions()]
  ]) {
    const states = /* @__PURE__ */ new Map();
    let round = 0;
    const step = () => {
      round += 1;
      const now = T0 + round * 6e4;
      events.forEach((event, i) => {
        const profileId = asProfileId(`use_${(round * 1e3 + i) % 1e4}`);
        const named = event.type === "track" ? { ...event, event: BENCH_EVENT_NAMES[(i + round) % BENCH_EVENT_NAMES.length] } : event;
        states.set(profileId, stepProfile(states.get(profileId), knownTrack(profileId, { ...named, timestamp: now + i }), now, definitions).state);
      });
    };
    for (let warm = 0; warm < 30; warm++) step();
    results[label2] = await measureRate(events.length, step);
  }
}
async function commitStage(dir) {
  for (const [label2, withDefinitions2] of [
    ["LMDB commit (shard runtime, 1000/delivery)", false],
    ["LMDB commit, 70 definitions live", true]
  ]) {
    const store = openEngineStore(join3(dir, withDefinitions2 ? "commit-defs" : "commit"));
    const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 1e5 });
    if (withDefinitions2) {
      for (const record of benchDefinitions(space)) await store.definitions.put(record.id, record);
      runtime.useDefinitions(1);
    }
    const events = namedEvents(1e3);
    let round = 0;
    const deliverRound = async () => {
      await Promise.all(
        Array.from({ length: 8 }, () => {
          round++;
          const now = T0 + round * 6e4;
          const messages2 = events.map((event, i) => {
            const named = event.type === "track" ? { ...event, event: BENCH_EVENT_NAMES[(i + round) % BENCH_EVENT_NAMES.length] } : event;
            return knownTrack(asProfileId(`use_${(round * 7 + i) % 1e4}`), { ...named, messageId: `${round}-${i}`, timestamp: now + i });
          });
          return runtime.deliver(messages2, now);
        })
      );
    };
    for (let warm = 0; warm < 4; warm++) await deliverRound();
    results[label2] = await measureRate(8e3, deliverRound);
    await store.close();
  }
}
async function backfillStage(dir) {
  const store = openEngineStore(join3(dir, "backfill"));
  const runtime = createShardRuntime({ store, shardIndex: 0, shardCount: 1, cacheSize: 1e5 });
  const events = namedEvents(1e3);
  for (let round = 0; round < 200; round++) {
    const messages2 = events.map((event, i) => knownTrack(asProfileId(`use_${(round * 1e3 + i) % 2e4}`), { ...event, messageId: `${round}-${i}`, timestamp: T0 + round * 1e3 + i }));
    await runtime.deliver(messages2, T0 + 2e5);
  }
  const [record] = benchDefinitions(space).filter((d) => d.key === "audience_1");
  await store.definitions.put(record.id, record);
  runtime.useDefinitions(1);
  let replayed = 0;
  const started = performance.now();
  let after;
  do {
    const chunk = await runtime.backfill({ definitionId: record.id, spaceId: space, limit: 200, now: T0 + 3e5, replay: true, ...after === void 0 ? {} : { after } });
    replayed += chunk.events;
    after = chunk.next;
  } while (after !== void 0);
  results["backfill over stored events (one shard)"] = replayed / ((performance.now() - started) / 1e3);
  await store.close();
}
async function httpStage(dir) {
  const config = { ...loadConfig({ env: { TROUPE_PORT: "0", TROUPE_DATA_DIR: join3(dir, "http"), TROUPE_LOG_LEVEL: "silent" } }) };
  const engine = await createEngine(config, pino({ level: "silent" }));
  const server = await serveEngine(engine, config);
  const client = new URL("./http-load-client.ts", import.meta.url).pathname;
  const run = async (durationMs) => {
    const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", client, server.url, "100", "32", String(durationMs)], { encoding: "utf8" });
    return JSON.parse(stdout);
  };
  try {
    await run(1e3);
    const measured = await run(6e3);
    if (measured.non200 > 0) console.warn(`  (${measured.non200} requests were not 200: backpressure)`);
    results["HTTP batch end to end (100/request, 32 concurrent, known profiles)"] = measured.events / measured.seconds;
    await lookupStage(engine);
    await engineBackfillStage(engine);
  } finally {
    await server.close();
    await engine.close();
  }
}
async function lookupStage(engine) {
  const auth = `Basic ${Buffer.from("dev-access-token:").toString("base64")}`;
  const latencies = [];
  const started = performance.now();
  for (let i = 0; i < 5e3; i++) {
    const t = performance.now();
    const response = await engine.app.request(`/v1/spaces/default/collections/users/profiles/user_id:user-${i * 7 % 2e4}/traits`, { headers: { authorization: auth } });
    if (response.status !== 200) throw new Error(`lookup answered ${response.status}`);
    await response.arrayBuffer();
    latencies.push(performance.now() - t);
  }
  results["Profile API traits lookup (in-process)"] = 5e3 / ((performance.now() - started) / 1e3);
  latencies.sort((a, b) => a - b);
  lookupP99Ms = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
}
var lookupP99Ms = Number.NaN;
async function engineBackfillStage(engine) {
  const stored = engine.store.events.getStats().entryCount ?? 0;
  const started = performance.now();
  await engine.definitions.create("default", {
    kind: "audience",
    name: "Bench backfill",
    query: "event('Order Completed').where(property('total') > 100).within(30 days).count() >= 1",
    target: "USERS",
    enabled: true,
    options: { includeHistoricalData: true, includeAnonymousUsers: false }
  });
  await engine.definitions.idle();
  results["backfill through the engine (2 shards)"] = stored / ((performance.now() - started) / 1e3);
}
async function main() {
  const dir = mkdtempSync(join3(tmpdir(), "troupe-bench-"));
  try {
    const only = process.env.BENCH_ONLY?.split(",");
    const stages = [
      ["validate", validateStage],
      ["identity", () => identityStage(dir)],
      ["actor", actorStage],
      ["commit", () => commitStage(dir)],
      ["backfill", () => backfillStage(dir)],
      ["http", () => httpStage(dir)]
    ];
    for (const [name2, stage] of stages) if (only === void 0 || only.includes(name2)) await stage();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, ${(freemem() / 1024 ** 3).toFixed(0)} GiB free, node ${process.version}`;
  console.log(`Troupe micro benchmarks \u2014 ${machine}`);
  for (const [stage, rate] of Object.entries(results)) console.log(`  ${stage.padEnd(52)} ${formatRate(rate, stage.startsWith("Profile API") ? "lookups" : "events")}`);
  console.log(`  Profile API traits lookup p99: ${lookupP99Ms.toFixed(3)} ms`);
  const ratio = (a, b) => ((results[a] ?? Number.NaN) / (results[b] ?? Number.NaN)).toFixed(2);
  console.log(`  ratios in this run: actor step 70 defs / none ${ratio("actor step, 70 definitions live", "actor step")} (target \u2265 0.33),`);
  console.log(`    LMDB commit 70 defs / none ${ratio("LMDB commit, 70 definitions live", "LMDB commit (shard runtime, 1000/delivery)")} (target \u2265 0.67),`);
  console.log(`    backfill / HTTP end to end ${ratio("backfill through the engine (2 shards)", "HTTP batch end to end (100/request, 32 concurrent, known profiles)")} (target \u2265 10; one shard alone: ${ratio("backfill over stored events (one shard)", "HTTP batch end to end (100/request, 32 concurrent, known profiles)")})`);
  if (process.env.BENCH_ONLY !== void 0) return;
  mkdirSync3(new URL("./results", import.meta.url), { recursive: true });
  const file = new URL(`./results/micro-${(/* @__PURE__ */ new Date()).toISOString().slice(0, 10)}.json`, import.meta.url);
  writeFileSync2(file, `${JSON.stringify({ at: (/* @__PURE__ */ new Date()).toISOString(), machine, perSecond: results, lookupP99Ms }, null, 2)}
`);
}
await main();
