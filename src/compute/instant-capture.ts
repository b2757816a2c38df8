/**
 * Captures the earliest instant an operand of a junction reports, so that `AND`/`OR` can tell
 * which of their operands' instants can change their own answer (see `evaluate-condition.ts`).
 * Frames nest with junctions. Evaluation is synchronous and never re-entrant, so one stack
 * serves every evaluator; each top-level evaluation starts by resetting it, so a frame left open
 * by a throw cannot swallow a later evaluation's instants.
 */
let frames = new Float64Array(16);
/**
 * Open frames: `frames[0..depth)`. A depth rather than the array's length: emptying an array at
 * each evaluation's reset gave up its backing store, and the next frame allocated a new one.
 */
let depth = 0;

/** Opens a frame: instants reported until `endCapture` go to it, not to the sink. */
export function beginCapture(): void {
  if (depth === frames.length) {
    const grown = new Float64Array(frames.length * 2);
    grown.set(frames);
    frames = grown;
  }
  frames[depth] = Number.POSITIVE_INFINITY;
  depth += 1;
}

/** Closes the innermost frame: the earliest instant reported into it, `Infinity` when none. */
export function endCapture(): number {
  if (depth === 0) return Number.POSITIVE_INFINITY;
  depth -= 1;
  return frames[depth]!;
}

/** Whether a frame is open (a sink then reports into it with `captureInstant`). */
export function isCapturing(): boolean {
  return depth > 0;
}

export function captureInstant(instant: number): void {
  const top = depth - 1;
  if (instant < frames[top]!) frames[top] = instant;
}

export function resetCaptures(): void {
  depth = 0;
}
