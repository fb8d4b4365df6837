/**
 * The launcher's control endpoint, on 127.0.0.1 only: `GET /nodes` lists the local node processes and
 * `POST /nodes` starts one more and admits it (what `ringkv cluster add` and the dashboard call).
 *
 * It starts processes, so a web page must not be able to call it: a request carrying an `Origin` header is
 * accepted only from the cluster's own nodes (the dashboard), and POST requires a JSON content type, which
 * a cross-site form cannot send without a CORS preflight that this server answers only for those origins.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorStatus, RingKvError } from '@ringkv/protocol';
import type { Launcher } from './launcher.js';

export class ControlServer {
  private readonly server: Server;
  private readonly launcher: Launcher;

  private constructor(launcher: Launcher) {
    this.launcher = launcher;
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        sendError(
          response,
          error instanceof RingKvError ? error : new RingKvError('INTERNAL', String(error)),
        );
      });
    });
  }

  static async listen(launcher: Launcher, port: number): Promise<ControlServer> {
    const control = new ControlServer(launcher);
    await new Promise<void>((resolve, reject) => {
      control.server.once('error', reject);
      control.server.listen(port, '127.0.0.1', () => {
        control.server.off('error', reject);
        resolve();
      });
    });
    return control;
  }

  get url(): string {
    const address = this.server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private allowedOrigins(): Set<string> {
    const origins = new Set<string>();
    for (const node of this.launcher.nodes()) {
      const port = node.id.split(':').pop();
      origins.add(node.url);
      origins.add(`http://localhost:${port}`);
    }
    return origins;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (!this.allowedOrigins().has(origin)) {
        throw new RingKvError('FORBIDDEN', `origin ${origin} may not control this launcher`);
      }
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
    }
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET, POST');
      response.setHeader('access-control-allow-headers', 'content-type');
      response.writeHead(204).end();
      return;
    }
    if (path === '/nodes' && request.method === 'GET') {
      sendJson(response, 200, { nodes: this.launcher.nodes() });
      return;
    }
    if (path === '/nodes' && request.method === 'POST') {
      if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new RingKvError('BAD_REQUEST', 'content-type must be application/json');
      }
      request.resume(); // the body carries nothing we need
      sendJson(response, 201, await this.launcher.addNode());
      return;
    }
    throw new RingKvError('BAD_REQUEST', `no route ${request.method} ${path}; try GET or POST /nodes`);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json' }).end(text);
}

function sendError(response: ServerResponse, error: RingKvError): void {
  if (response.headersSent) {
    response.destroy(error);
    return;
  }
  sendJson(response, errorStatus[error.code], { error: error.toBody() });
}
