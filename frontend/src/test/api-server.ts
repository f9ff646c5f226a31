import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 that answers a component under test in the API's shapes: CORS open (the test page
 * is another origin), each request's body read, `answer` deciding the JSON reply (404 NOT_FOUND when it returns null).
 */
export async function startApiServer(answer: (req: IncomingMessage, body: string) => ApiAnswer | null): Promise<{ base: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, accept');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = answer(req, Buffer.concat(chunks).toString('utf8')) ?? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'nope' } } };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
