import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface LoopbackServer {
  base: string;
  close(): Promise<void>;
}

/** Writes a JSON reply. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * A real HTTP server on 127.0.0.1 for code under test in jsdom: CORS open (the test page is another origin, and
 * jsdom's XMLHttpRequest applies CORS like a browser), preflights answered, each request's body read before
 * `handle` writes the reply.
 */
export async function startLoopbackServer(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
  opts: { exposeHeaders?: string } = {},
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, accept');
    if (opts.exposeHeaders) res.setHeader('access-control-expose-headers', opts.exposeHeaders);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback server answering in the API's JSON shapes: `answer` decides each reply (404 NOT_FOUND when it returns null). */
export function startApiServer(answer: (req: IncomingMessage, body: string) => ApiAnswer | null): Promise<LoopbackServer> {
  return startLoopbackServer((req, body, res) => {
    const reply = answer(req, body) ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'nope' } } };
    sendJson(res, reply.status, reply.body);
  });
}
