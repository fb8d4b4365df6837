/**
 * Pages a browser loads from a node: the dashboard at `/` (the Vite build in packages/dashboard/dist) and
 * the interactive API docs at `/docs` (Swagger UI from the `swagger-ui-dist` package, served from this
 * node: no CDN, so the docs work on a closed network). When the dashboard is not built, `/` says how to
 * build it instead of failing.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const dashboardDirDefault = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

const placeholderPage = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>ringkv</title></head>
  <body>
    <h1>ringkv</h1>
    <p>The dashboard is not built. Run <code>pnpm build:dashboard</code> and restart the node.</p>
    <p>The API is live: see <a href="/docs">/docs</a>.</p>
  </body>
</html>
`;

const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>ringkv API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/init.js"></script>
  </body>
</html>
`;

// A separate file, not an inline script, so the page works under a strict Content-Security-Policy.
const docsInit = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

const swaggerAssets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

export async function registerPages(app: FastifyInstance, dashboardDir: string): Promise<void> {
  if (existsSync(join(dashboardDir, 'index.html'))) {
    // `wildcard: true` serves whatever the directory holds now, so rebuilding the dashboard needs no restart.
    await app.register(fastifyStatic, {
      root: dashboardDir,
      prefix: '/',
      wildcard: true,
      index: 'index.html',
    });
  } else {
    app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(placeholderPage));
  }

  app.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage));
  app.get('/docs/assets/init.js', (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(docsInit),
  );
  // swagger-ui-dist ships no types; its files sit next to its package.json.
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  for (const [file, contentType] of Object.entries(swaggerAssets)) {
    app.get(`/docs/assets/${file}`, (_request, reply) =>
      reply
        .type(contentType)
        .header('cache-control', 'public, max-age=3600')
        .send(createReadStream(join(swaggerDir, file))),
    );
  }
}
