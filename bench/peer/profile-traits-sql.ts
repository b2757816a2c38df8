/**
 * The statement that materialises every person's identify traits at `at` into `tr(pid, r<j>_t,
 * r<j>_n, r<j>_s, r<j>_k …)`, from the `idf` table of load-events.ts. Per key, the identify with
 * the latest timestamp that carried the key wins, a tie going to the later one in the log
 * (merge-traits.ts: "a tie goes to the later arrival"); a winning `null` removes the trait
 * (all four columns NULL: absent). Only identifies that had arrived by `at` count, future-dated
 * ones included (SEMANTICS.md: "a future-dated identify's traits apply at once").
 */
export function profileTraitsSql(traitColumns: ReadonlyMap<string, string>, at: number): string {
  const prefixes = [...traitColumns.values()];
  const latest = prefixes
    .map((r) => `arg_max_null({'t': ${r}_t, 'n': ${r}_n, 's': ${r}_s, 'k': ${r}_k}, {'ts': ts, 'seq': seq}) FILTER (WHERE ${r}_set) AS ${r}`)
    .join(', ');
  const columns = prefixes.map((r) => ['t', 'n', 's', 'k'].map((c) => `struct_extract(${r}, '${c}') AS ${r}_${c}`).join(', ')).join(', ');
  return `CREATE OR REPLACE TEMP TABLE tr AS SELECT pid${columns === '' ? '' : `, ${columns}`} FROM (SELECT pid${latest === '' ? '' : `, ${latest}`} FROM idf WHERE sent <= ${at} GROUP BY pid)`;
}
