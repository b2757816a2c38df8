import { readFileSync } from 'node:fs';
import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { openApiDocument } from './openapi/openapi-document.ts';

/**
 * `GET /openapi.json` (the public API as OpenAPI 3.1, built once at start) and `GET /docs`, its
 * interactive reference (Scalar's page; its script comes from Scalar's CDN, so the page needs the
 * browser online, the engine does not).
 */
export function createOpenApiApp(): Hono<AppEnv> {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const document = openApiDocument(version);
  const app = new Hono<AppEnv>();
  app.get('/openapi.json', (c) => c.json(document));
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Troupe API' }));
  return app;
}
