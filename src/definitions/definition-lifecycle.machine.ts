import { assign, initialTransition, setup, transition } from 'xstate';
import type { DefinitionLifecycle, DefinitionStatus } from './definition-record.ts';

/**
 * A definition's compute lifecycle (Segment's statuses): Preparing → Computing (a backfill, with
 * progress) → Live, or Failed with a reason, or Disabled. Stepped only through xstate's pure
 * `transition()`; what is persisted is `DefinitionLifecycle` (status, progress, reason), from
 * which the snapshot is resolved again after a restart.
 */
export type LifecycleEvent =
  /** Created or re-defined with historical data: a backfill will run. */
  | { readonly type: 'backfill.requested' }
  /** Created or re-defined without historical data: live at once. */
  | { readonly type: 'backfill.skipped' }
  | { readonly type: 'backfill.started' }
  | { readonly type: 'backfill.progressed'; readonly progress: number }
  | { readonly type: 'backfill.completed' }
  | { readonly type: 'backfill.failed'; readonly reason: string }
  | { readonly type: 'definition.disabled' }
  | { readonly type: 'definition.enabled'; readonly backfill: boolean };

interface LifecycleContext {
  readonly progress: number;
  readonly reason: string | undefined;
}

export const definitionLifecycleMachine = setup({
  types: { context: {} as LifecycleContext, events: {} as LifecycleEvent },
  actions: {
    startProgress: assign({ progress: 0, reason: undefined }),
    recordProgress: assign({ progress: ({ context, event }) => (event.type === 'backfill.progressed' ? Math.min(1, Math.max(context.progress, event.progress)) : context.progress) }),
    completeProgress: assign({ progress: 1 }),
    recordFailure: assign({ reason: ({ event }) => (event.type === 'backfill.failed' ? event.reason : undefined) }),
  },
}).createMachine({
  id: 'definitionLifecycle',
  initial: 'Preparing',
  context: { progress: 0, reason: undefined },
  on: {
    'definition.disabled': { target: '.Disabled' },
    'backfill.requested': { target: '.Preparing', actions: 'startProgress' },
    'backfill.skipped': { target: '.Live', actions: 'completeProgress' },
  },
  states: {
    Preparing: {
      on: {
        'backfill.started': { target: 'Computing', actions: 'startProgress' },
        'backfill.failed': { target: 'Failed', actions: 'recordFailure' },
      },
    },
    Computing: {
      on: {
        // A backfill interrupted by a restart starts over.
        'backfill.started': { actions: 'startProgress' },
        'backfill.progressed': { actions: 'recordProgress' },
        'backfill.completed': { target: 'Live', actions: 'completeProgress' },
        'backfill.failed': { target: 'Failed', actions: 'recordFailure' },
      },
    },
    Live: {},
    Failed: {},
    Disabled: {
      on: {
        'definition.enabled': [
          { guard: ({ event }) => event.backfill, target: 'Preparing', actions: 'startProgress' },
          { target: 'Live' },
        ],
      },
    },
  },
});

/** The lifecycle a new definition starts in. */
export function initialLifecycle(): DefinitionLifecycle {
  const [snapshot] = initialTransition(definitionLifecycleMachine);
  return lifecycleOf(snapshot.value as DefinitionStatus, snapshot.context);
}

/** Applies one event to a persisted lifecycle; an event the current status ignores leaves it as is. */
export function stepLifecycle(current: DefinitionLifecycle, event: LifecycleEvent): DefinitionLifecycle {
  const snapshot = definitionLifecycleMachine.resolveState({
    value: current.status,
    context: { progress: current.progress ?? 0, reason: current.reason },
  });
  const [next] = transition(definitionLifecycleMachine, snapshot, event);
  return lifecycleOf(next.value as DefinitionStatus, next.context);
}

function lifecycleOf(status: DefinitionStatus, context: LifecycleContext): DefinitionLifecycle {
  if (status === 'Computing') return { status, progress: context.progress };
  if (status === 'Failed') return { status, reason: context.reason ?? 'unknown failure' };
  return { status };
}
