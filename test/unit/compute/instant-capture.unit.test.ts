import { describe, expect, it } from 'vitest';
import { beginCapture, captureInstant, endCapture, isCapturing, resetCaptures } from '../../../src/compute/instant-capture.ts';

describe('instant capture frames', () => {
  it('keeps the earliest instant per frame, nested deeper than the stack first holds', () => {
    resetCaptures();
    const depth = 40;
    for (let level = 0; level < depth; level++) {
      beginCapture();
      // Each level reports a later instant first, then its own: the earliest must win.
      captureInstant(10_000 + level);
      captureInstant(1_000 + level);
    }
    for (let level = depth - 1; level >= 0; level--) expect(endCapture()).toBe(1_000 + level);
    expect(isCapturing()).toBe(false);
    expect(endCapture()).toBe(Number.POSITIVE_INFINITY);
  });

  it('starts every frame empty, and a reset drops frames a throw left open', () => {
    beginCapture();
    beginCapture();
    captureInstant(5);
    resetCaptures();
    expect(isCapturing()).toBe(false);
    beginCapture();
    expect(endCapture()).toBe(Number.POSITIVE_INFINITY);
  });
});
