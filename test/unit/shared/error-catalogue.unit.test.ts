import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, isAppErrorData } from '../../../src/shared/errors.ts';

// The one catalogue of error codes (src/shared/errors.ts): every code the source uses is listed
// there with a status and a description, and only listed codes pass for error data.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the error catalogue', () => {
  it('lists every code the source uses', () => {
    const used = new Set<string>();
    const patterns = [/code: '([a-z_]+)'/g, /new AppError\('([a-z_]+)'/g, /errorResponse\(c, '([a-z_]+)'/g];
    for (const file of sourceFiles('src')) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) used.add(match[1]!);
    }
    // The issue 9 codes are among them, so the scan itself is known to see something.
    expect([...used]).toEqual(expect.arrayContaining(['invalid_unicode', 'request_aborted', 'id_too_long', 'event_too_large']));
    expect([...used].filter((code) => !Object.hasOwn(ERROR_CATALOGUE, code))).toEqual([]);
    for (const entry of Object.values(ERROR_CATALOGUE)) {
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.description.length).toBeGreaterThan(10);
    }
  });

  it('recognises only its own codes as error data, never a prototype member', () => {
    expect(isAppErrorData({ code: 'invalid_unicode', message: 'm' })).toBe(true);
    for (const code of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(isAppErrorData({ code, message: 'm' })).toBe(false);
    }
  });
});
