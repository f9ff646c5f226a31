import { promises as fsp } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Real answers of huggingface.co, recorded by the Hub's own client maintainers (see PROVENANCE.md there). */
export const RECORDINGS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hub-recordings');

export interface Recording {
  file: string;
  method: string;
  /** Path of the recorded request; its query parameters must all be in a request it answers. */
  pathname: string;
  query: URLSearchParams;
  status: number;
  statusMessage: string | undefined;
  /** Header lines in recorded order and spelling. */
  headers: [string, string][];
  body: Buffer;
  /** True for a cassette (bytes and headers as recorded); false when only the JSON value was recorded. */
  verbatim: boolean;
}

interface CassetteFile {
  request: { method?: string; uri: string };
  response:
    | { status: { code: number; message: string }; headers: Record<string, string[]>; body_text: string }
    | { status: number; body_json: unknown };
}

/** Loads one recording: cassettes replay their exact bytes and headers; value-only ones are served as JSON. */
export async function loadRecording(file: string): Promise<Recording> {
  const rec = JSON.parse(await fsp.readFile(path.join(RECORDINGS_DIR, file), 'utf8')) as CassetteFile;
  const uri = new URL(rec.request.uri);
  const base = { file, method: rec.request.method ?? 'GET', pathname: uri.pathname, query: uri.searchParams };
  const res = rec.response;
  if ('body_text' in res) {
    const headers = Object.entries(res.headers).flatMap(([k, vs]) => vs.map((v): [string, string] => [k, v]));
    return { ...base, status: res.status.code, statusMessage: res.status.message, headers, body: Buffer.from(res.body_text, 'utf8'), verbatim: true };
  }
  const body = Buffer.from(JSON.stringify(res.body_json), 'utf8');
  return {
    ...base,
    status: res.status,
    statusMessage: undefined,
    headers: [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Content-Length', String(body.length)],
    ],
    body,
    verbatim: false,
  };
}

export async function readRecordingJson<T>(file: string): Promise<T> {
  return JSON.parse(await fsp.readFile(path.join(RECORDINGS_DIR, file), 'utf8')) as T;
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | null;
}

export interface Loopback {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that logs every request before `handle` answers it. */
export async function startLoopback(handle: (req: IncomingMessage, res: ServerResponse, self: Loopback) => void): Promise<Loopback> {
  const requests: SeenRequest[] = [];
  const self: Loopback = { url: '', requests, close: async () => undefined };
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', authorization: req.headers.authorization ?? null });
    handle(req, res, self);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return self;
}

/**
 * The Hub replayed: a request gets the recording of its method and path whose recorded query parameters it all
 * carries (the most specific one wins); anything not recorded gets a bare 404.
 */
export function startReplayHub(recordings: Recording[]): Promise<Loopback> {
  return startLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://replay');
    const matches = recordings.filter(
      (r) => r.method === req.method && r.pathname === url.pathname && [...r.query].every(([k, v]) => url.searchParams.getAll(k).includes(v)),
    );
    const rec = matches.sort((a, b) => [...b.query].length - [...a.query].length)[0];
    if (!rec) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not recorded');
      return;
    }
    // The recorded Date header is sent, not today's.
    res.sendDate = false;
    res.writeHead(rec.status, rec.statusMessage, rec.headers.flat());
    res.end(rec.body);
  });
}
