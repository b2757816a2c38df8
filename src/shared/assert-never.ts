/** Exhaustiveness check for discriminated unions: a new variant fails to compile until handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
