import type { DefinitionKind } from '../../src/definitions/ast.ts';
import type { DefinitionRecord } from '../../src/definitions/definition-record.ts';
import { parseDefinition } from '../../src/definitions/parse-definition.ts';

/**
 * A live definition record as the registry would store it, parsed from `query` (tests and
 * benchmarks that write definitions to LMDB or compile them without going through the registry).
 */
export function definitionRecord(
  spec: { readonly id: string; readonly key: string; readonly kind: DefinitionKind; readonly query: string; readonly spaceId?: string },
  extra: Partial<DefinitionRecord> = {},
): DefinitionRecord {
  const parsed = parseDefinition(spec.query, { kind: spec.kind });
  if (!parsed.ok) throw new Error(`${spec.key}: ${parsed.error.message}`);
  return {
    id: spec.id,
    spaceId: spec.spaceId ?? 'default',
    kind: spec.kind,
    key: spec.key,
    name: spec.key,
    query: spec.query,
    target: 'USERS',
    ast: parsed.value,
    revision: 1,
    enabled: true,
    options: { includeHistoricalData: true, includeAnonymousUsers: false },
    lifecycle: { status: 'Live' },
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 1),
    ...extra,
  };
}
