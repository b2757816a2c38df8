import { describe, expect, it } from 'vitest';
import { initialLifecycle, stepLifecycle, type LifecycleEvent } from '../../../src/definitions/definition-lifecycle.machine.ts';
import type { DefinitionLifecycle } from '../../../src/definitions/definition-record.ts';

function run(events: LifecycleEvent[], from: DefinitionLifecycle = initialLifecycle()): DefinitionLifecycle {
  return events.reduce(stepLifecycle, from);
}

describe('definition lifecycle machine', () => {
  it('starts Preparing, computes with progress, and goes Live', () => {
    expect(initialLifecycle()).toEqual({ status: 'Preparing' });
    expect(run([{ type: 'backfill.started' }])).toEqual({ status: 'Computing', progress: 0 });
    expect(run([{ type: 'backfill.started' }, { type: 'backfill.progressed', progress: 0.4 }])).toEqual({ status: 'Computing', progress: 0.4 });
    expect(run([{ type: 'backfill.started' }, { type: 'backfill.progressed', progress: 0.4 }, { type: 'backfill.completed' }])).toEqual({ status: 'Live' });
  });

  it('never reports progress going backwards or past 1', () => {
    const computing = run([{ type: 'backfill.started' }, { type: 'backfill.progressed', progress: 0.7 }]);
    expect(stepLifecycle(computing, { type: 'backfill.progressed', progress: 0.2 })).toEqual({ status: 'Computing', progress: 0.7 });
    expect(stepLifecycle(computing, { type: 'backfill.progressed', progress: 3 })).toEqual({ status: 'Computing', progress: 1 });
  });

  it('fails with a reason, is live at once without history, and disables from anywhere', () => {
    expect(run([{ type: 'backfill.started' }, { type: 'backfill.failed', reason: 'disk full' }])).toEqual({ status: 'Failed', reason: 'disk full' });
    expect(run([{ type: 'backfill.skipped' }])).toEqual({ status: 'Live' });
    expect(run([{ type: 'backfill.started' }, { type: 'definition.disabled' }])).toEqual({ status: 'Disabled' });
  });

  it('re-enabling backfills again when asked, else goes straight back to Live', () => {
    const disabled: DefinitionLifecycle = { status: 'Disabled' };
    expect(stepLifecycle(disabled, { type: 'definition.enabled', backfill: true })).toEqual({ status: 'Preparing' });
    expect(stepLifecycle(disabled, { type: 'definition.enabled', backfill: false })).toEqual({ status: 'Live' });
  });

  it('a re-definition restarts the backfill from Live or Failed; stray events change nothing', () => {
    expect(stepLifecycle({ status: 'Live' }, { type: 'backfill.requested' })).toEqual({ status: 'Preparing' });
    expect(stepLifecycle({ status: 'Failed', reason: 'x' }, { type: 'backfill.requested' })).toEqual({ status: 'Preparing' });
    expect(stepLifecycle({ status: 'Live' }, { type: 'backfill.completed' })).toEqual({ status: 'Live' });
    expect(stepLifecycle({ status: 'Live' }, { type: 'definition.enabled', backfill: true })).toEqual({ status: 'Live' });
  });
});
