/**
 * Captures the earliest instant an operand of a junction reports, so that `AND`/`OR` can tell
 * which of their operands' instants can change their own answer (see `evaluate-condition.ts`).
 * Frames nest with junctions. Evaluation is synchronous and never re-entrant, so one stack
 * serves every evaluator; each top-level evaluation starts by resetting it, so a frame left open
 * by a throw cannot swallow a later evaluation's instants.
 */
const frames: number[] = [];

/** Opens a frame: instants reported until `endCapture` go to it, not to the sink. */
export function beginCapture(): void {
  frames.push(Number.POSITIVE_INFINITY);
}

/** Closes the innermost frame: the earliest instant reported into it, `Infinity` when none. */
export function endCapture(): number {
  return frames.pop() ?? Number.POSITIVE_INFINITY;
}

/** Whether a frame is open (a sink then reports into it with `captureInstant`). */
export function isCapturing(): boolean {
  return frames.length > 0;
}

export function captureInstant(instant: number): void {
  const top = frames.length - 1;
  if (instant < frames[top]!) frames[top] = instant;
}

export function resetCaptures(): void {
  frames.length = 0;
}
