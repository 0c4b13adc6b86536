/** A local HTTP server that records callbacks and can fail the first N requests. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: string;
  atMs: number;
}

export async function startCallbackServer(options: { failFirst?: number; failStatus?: number } = {}) {
  const received: ReceivedCallback[] = [];
  let failuresLeft = options.failFirst ?? 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      received.push({ headers: req.headers, body, atMs: Date.now() });
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(options.failStatus ?? 503).end('try later');
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/api/callback`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
