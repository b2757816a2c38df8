import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { openApiDocument } from './openapi/openapi-document.ts';

const SCALAR_SCRIPT = '/docs/scalar.js';

/**
 * `GET /openapi.json` (the public API as OpenAPI 3.1, built once at start) and `GET /docs`, its
 * interactive reference: Scalar's page, with Scalar's script served by the engine itself from
 * `@scalar/api-reference` (not its CDN), so the reference works with no network but the engine.
 */
export function createOpenApiApp(): Hono<AppEnv> {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const document = openApiDocument(version);
  const app = new Hono<AppEnv>();
  app.get('/openapi.json', (c) => c.json(document));
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Troupe API', cdn: SCALAR_SCRIPT }));
  // Read on first use (3.6 MB), then kept: most engines never serve it.
  let script: Buffer | undefined;
  app.get(SCALAR_SCRIPT, (c) => {
    // The package exports its modules, not the browser bundle beside them (`dist/browser/`).
    script ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser', 'standalone.js'));
    return c.body(new Uint8Array(script), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
