import { describe, expect, it } from 'vitest';
import { createDispatchSequencer } from '../../../src/runtime/dispatch-sequencer.ts';

describe('dispatch sequencer', () => {
  it('gives turns in the order they were taken, each after the previous one is done', async () => {
    const sequencer = createDispatchSequencer();
    const log: string[] = [];
    const first = sequencer.take();
    const second = sequencer.take();
    const third = sequencer.take();
    const runSecond = second.then(({ done }) => {
      log.push('second');
      done();
    });
    const runThird = third.then(({ done }) => {
      log.push('third');
      done();
    });
    const { done: finishFirst } = await first;
    log.push('first');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toEqual(['first']);
    finishFirst();
    await Promise.all([runSecond, runThird]);
    expect(log).toEqual(['first', 'second', 'third']);
  });
});
