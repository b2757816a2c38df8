import { describe, expect, it } from 'vitest';
import { batchItemSpans } from '../../../src/ingest/batch-item-spans.ts';

function texts(body: string): string[] | undefined {
  return batchItemSpans(body)?.map(([s, e]) => body.slice(s, e));
}

describe('batchItemSpans', () => {
  it('cuts the raw text of each batch item, whitespace and escapes kept', () => {
    const body = '{"writeKey":"k", "batch" : [ {"a": "x,]}"} ,\n  {"b":[1,{"c":"\\u00e9"}]}\t], "context":{"batch":[9]}}';
    expect(texts(body)).toEqual(['{"a": "x,]}"}', '{"b":[1,{"c":"\\u00e9"}]}']);
  });

  it('follows JSON.parse on a repeated or escaped key: the last `batch` wins', () => {
    expect(texts('{"batch":[1],"b\\u0061tch":[{"x":2}, 3]}')).toEqual(['{"x":2}', '3']);
  });

  it('finds nothing without a top-level batch array', () => {
    expect(batchItemSpans('{"context":{"batch":[1]}}')).toBeUndefined();
    expect(texts('{"batch":[]}')).toEqual([]);
  });
});
