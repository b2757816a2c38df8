import { DOUBLE, TINYINT, VARCHAR } from '@duckdb/node-api';
import type { Column } from './column-appender.ts';
import { TYPE_CODE, type EncodedValue } from './encode-value.ts';

/**
 * One loaded value (a property of every occurrence, a trait of every identify) as the four
 * columns of encode-value.ts `<prefix>_t/_n/_s/_k`, gathered for appendTable without NULLs:
 * an absent value is type 0, a number column holds 0 and a text column '' where they do not
 * apply, and `select()` turns those back into NULLs when the loaded table is copied into its
 * final form. A column that never applies in the whole log (no number at `total`'s path, no
 * object anywhere) is not appended at all; `select()` makes it a NULL constant.
 */
export class ValueColumns {
  private readonly t: number[] = [];
  private readonly n: number[] = [];
  private readonly s: string[] = [];
  private readonly k: string[] = [];
  private hasNumber = false;
  private hasText = false;
  private hasKey = false;

  constructor(
    readonly prefix: string,
    /** Whether numbers keep their text in `_s` (encode-value.ts). */
    readonly numberText: boolean,
  ) {}

  push(value: EncodedValue): void {
    this.t.push(value.t ?? 0);
    this.n.push(value.n ?? 0);
    this.s.push(value.s ?? '');
    this.k.push(value.k ?? '');
    if (value.n !== null) this.hasNumber = true;
    if (value.s !== null) this.hasText = true;
    if (value.k !== null) this.hasKey = true;
  }

  /** The columns to append: the type always, the others only if some row uses them. */
  columns(): Column[] {
    const p = this.prefix;
    return [
      { name: `${p}_t`, type: TINYINT, values: this.t },
      ...(this.hasNumber ? [{ name: `${p}_n`, type: DOUBLE, values: this.n }] : []),
      ...(this.hasText ? [{ name: `${p}_s`, type: VARCHAR, values: this.s }] : []),
      ...(this.hasKey ? [{ name: `${p}_k`, type: VARCHAR, values: this.k }] : []),
    ];
  }

  /** The select list that restores the NULLs from the appended columns. */
  select(): string {
    const p = this.prefix;
    const { array, boolean, number, object, string } = TYPE_CODE;
    const textTypes = [array, boolean, object, string, ...(this.numberText ? [number] : [])].join(', ');
    return [
      `NULLIF(${p}_t, 0) AS ${p}_t`,
      this.hasNumber ? `CASE WHEN ${p}_t = ${number} THEN ${p}_n END AS ${p}_n` : `CAST(NULL AS DOUBLE) AS ${p}_n`,
      this.hasText ? `CASE WHEN ${p}_t IN (${textTypes}) THEN ${p}_s END AS ${p}_s` : `CAST(NULL AS VARCHAR) AS ${p}_s`,
      this.hasKey ? `CASE WHEN ${p}_t IN (${array}, ${object}) THEN ${p}_k END AS ${p}_k` : `CAST(NULL AS VARCHAR) AS ${p}_k`,
    ].join(', ');
  }
}
