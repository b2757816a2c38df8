import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUTH, startTestServer, type TestServer } from '../support/engine-server.ts';

// Issue 11 item 1: OpenAPI 3.1 at /openapi.json covering every route, valid, with examples the
// engine accepts; its interactive reference at /docs.

interface Document {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, { security: Array<Record<string, unknown>>; requestBody?: { content: Record<string, { example?: unknown; schema: unknown }> } }>>;
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  let document: Document;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route the apps register, and no route they do not', () => {
    // The console's pages are HTML for people, not API; `ALL` entries are middleware and the
    // 405 catch-all; `*` routes are the Profile API's not-found fallbacks.
    const registered = server.engine.app.routes.filter((route) => route.method !== 'ALL' && !route.path.startsWith('/console') && !route.path.includes('*'));
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })));
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x');
    const pattern = (path: string) => new RegExp(`^${path.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    const undocumented = registered.filter((route) => !documented.some((op) => op.method === route.method && pattern(route.path).test(concrete(op.path))));
    expect(undocumented.map((route) => `${route.method} ${route.path}`)).toEqual([]);
    const invented = documented.filter((op) => !registered.some((route) => route.method === op.method && pattern(route.path).test(concrete(op.path))));
    expect(invented.map((op) => `${op.method} ${op.path}`)).toEqual([]);
  });

  it('describes the management bodies from the schemas that check them', () => {
    const create = document.paths['/v1/spaces/{space}/audiences']!['post']!.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(create.properties)).toEqual(['name', 'key', 'description', 'definition', 'enabled', 'options']);
    expect(create.required).toEqual(['name', 'definition']);
    expect(create.additionalProperties).toBe(false);
  });

  it('has examples the engine accepts', async () => {
    const auth: Record<string, string> = { writeKey: DEV_AUTH.write, accessToken: DEV_AUTH.access, adminToken: DEV_AUTH.admin };
    // Ids for paths that name something: taken from what the examples themselves create.
    const created: Record<string, string> = {};
    const send = async (method: string, path: string, example: unknown, scheme: string | undefined) => {
      const concrete = path.replace('{space}', 'default').replace(/\{(\w+)\}/g, (_, name: string) => created[path.includes('/destinations/{id}') || name === 'destinationId' ? 'destination' : path.includes('/computed-traits/') ? 'computedTrait' : 'audience'] ?? `missing-${name}`);
      const response = await fetch(`${server.url}${concrete}`, {
        method: method.toUpperCase(),
        headers: { 'content-type': 'application/json', ...(scheme === undefined ? {} : { authorization: auth[scheme]! }) },
        body: JSON.stringify(example),
      });
      const text = await response.text();
      expect({ operation: `${method.toUpperCase()} ${path}`, status: response.status < 300 ? 'ok' : response.status, body: response.status < 300 ? '' : text }).toEqual({ operation: `${method.toUpperCase()} ${path}`, status: 'ok', body: '' });
      const body = JSON.parse(text) as Record<string, { id?: string } | undefined>;
      for (const kind of ['audience', 'computedTrait', 'destination']) if (body[kind]?.id !== undefined) created[kind] ??= body[kind]!.id!;
    };
    const withExamples = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) => {
        const example = operation.requestBody?.content['application/json']?.example;
        return example === undefined ? [] : [{ path, method, example, scheme: Object.keys(operation.security[0] ?? {})[0] }];
      }),
    );
    const onlySpace = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].every(([, name]) => name === 'space');
    // First the examples that need only the space (they create an audience, a trait, a destination), then the rest.
    for (const op of withExamples.filter((op) => onlySpace(op.path))) await send(op.method, op.path, op.example, op.scheme);
    for (const op of withExamples.filter((op) => !onlySpace(op.path))) await send(op.method, op.path, op.example, op.scheme);
    expect(Object.keys(created).sort()).toEqual(['audience', 'computedTrait', 'destination']);
    // Every operation with a body has an example, and all of them were sent.
    const bodies = Object.values(document.paths).flatMap((operations) => Object.values(operations)).filter((operation) => operation.requestBody !== undefined);
    expect(withExamples).toHaveLength(bodies.length);
  });

  it('serves the interactive reference at /docs', async () => {
    const response = await fetch(`${server.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('/openapi.json');
  });
});
