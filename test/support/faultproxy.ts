/**
 * A fault-injecting HTTP proxy for S3 tests, on 127.0.0.1 in front of an S3 server. Per
 * request, drawn from a seeded PRNG: reset the connection (socket.destroy(), before anything
 * is forwarded), answer 503 SlowDown with S3's XML error body, or delay forwarding by
 * `delayMs`; and for conditional PUTs (`If-None-Match: *`), answer 409
 * ConditionalRequestConflict, as S3 does when such a write races another request on the key.
 * Everything else is forwarded unchanged (the Host header too, so SigV4
 * signatures stay valid). Counts what it injected.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Probabilities per request (0..1); `reset` and `slowDown` are exclusive, `delay` is drawn apart. */
export interface FaultRates {
  readonly slowDown: number;
  readonly delay: number;
  readonly reset: number;
  /** How long a delayed request waits before it is forwarded. */
  readonly delayMs: number;
  /** Of the conditional PUTs: answered 409 ConditionalRequestConflict (drawn only when > 0). */
  readonly conditionalConflict: number;
}

export interface FaultStats {
  requests: number;
  forwarded: number;
  slowDowns: number;
  delays: number;
  resets: number;
  conflicts: number;
  /** Forwarded requests the server answered with a 5xx: failures no fault of ours explains (DeleteObjects apart). */
  serverErrors: number;
  /** DeleteObjects requests the server answered with a 5xx. */
  deleteErrors: number;
  /** Forwarded requests the client gave up on before the answer was through (its timeouts, lost hedges). */
  clientAborts: number;
}

export interface FaultProxy {
  /** e.g. `http://127.0.0.1:40001`: use it as the S3 endpoint. */
  readonly endpoint: string;
  readonly stats: FaultStats;
  /** Change some rates from now on. */
  setRates(rates: Partial<FaultRates>): void;
  stop(): Promise<void>;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same fault sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const errorXml = (code: string, message: string, id: number): string =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULT${id}</RequestId><HostId>faultproxy</HostId></Error>`;
const slowDownXml = (id: number): string => errorXml('SlowDown', 'Please reduce your request rate.', id);

/** Start a proxy to `target` (an http:// endpoint). No faults until rates are set. */
export async function startFaultProxy(target: string, rates: Partial<FaultRates> = {}, seed = 42): Promise<FaultProxy> {
  const up = new URL(target);
  let current: FaultRates = { slowDown: 0, delay: 0, reset: 0, delayMs: 2_000, conditionalConflict: 0, ...rates };
  const stats: FaultStats = {
    requests: 0,
    forwarded: 0,
    slowDowns: 0,
    delays: 0,
    resets: 0,
    conflicts: 0,
    serverErrors: 0,
    deleteErrors: 0,
    clientAborts: 0,
  };
  const random = mulberry32(seed);

  const server = http.createServer((req, res) => {
    const n = ++stats.requests;
    const r = random();
    const delayed = random() < current.delay;
    if (r < current.reset) {
      stats.resets++;
      req.socket.destroy();
      return;
    }
    if (r < current.reset + current.slowDown) {
      stats.slowDowns++;
      req.resume();
      req.once('end', () => {
        const body = req.method === 'HEAD' ? '' : slowDownXml(n);
        res.writeHead(503, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
          'x-amz-request-id': `FAULT${n}`,
        });
        res.end(body);
      });
      return;
    }
    const conditional = req.method === 'PUT' && req.headers['if-none-match'] === '*';
    if (conditional && current.conditionalConflict > 0 && random() < current.conditionalConflict) {
      stats.conflicts++;
      req.resume();
      req.once('end', () => {
        const body = errorXml(
          'ConditionalRequestConflict',
          'A conflicting operation occurred. If using PutObject you can retry the request.',
          n,
        );
        res.writeHead(409, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
          'x-amz-request-id': `FAULT${n}`,
        });
        res.end(body);
      });
      return;
    }
    if (delayed) stats.delays++;
    let gone = false;
    res.once('close', () => (gone = true));
    setTimeout(
      () => {
        if (gone) {
          stats.clientAborts++;
          return;
        }
        stats.forwarded++;
        const headers = { ...req.headers };
        delete headers.expect; // the proxy already answered 100-continue
        const upstream = http.request(
          { host: up.hostname, port: up.port, method: req.method, path: req.url, headers },
          (upRes) => {
            if ((upRes.statusCode ?? 502) >= 500) {
              // s3rver answers some concurrent multi-object deletes (job clean-up) with 500
              // InternalError; retried, they succeed. Counted apart from the data path's.
              if (req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '')) stats.deleteErrors++;
              else stats.serverErrors++;
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        res.once('close', () => {
          if (res.writableFinished) return;
          stats.clientAborts++;
          upstream.destroy(); // the client went away (a timeout, a losing duplicate)
        });
        req.pipe(upstream);
      },
      delayed ? current.delayMs : 0,
    );
  });
  // A connection that closes before carrying a request: a client that gave up while connecting.
  const used = new WeakSet<object>();
  server.on('request', (req: http.IncomingMessage) => used.add(req.socket));
  server.on('connection', (socket) => {
    socket.once('close', () => {
      if (!used.has(socket)) stats.clientAborts++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setRates: (r) => {
      current = { ...current, ...r };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
