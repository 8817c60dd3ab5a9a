/**
 * S3 clients, cached per process: a warm Lambda instance reuses its clients (and their
 * keep-alive connections) across invocations and across store instances with the same
 * endpoint, region and credentials. Each cache entry holds TWO clients with separate
 * connection pools: lane 0 for ordinary requests, lane 1 for straggler duplicates, so a
 * duplicate never queues behind (or shares a socket with) the request it is racing.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { Semaphore } from '../../util/limit.js';

/** Static credentials (tests, S3-compatible servers). Never part of a StoreRef. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3ClientSettings {
  /** e.g. `http://127.0.0.1:4568`; absent for AWS S3 itself. */
  readonly endpoint?: string;
  readonly region: string;
  /** Path-style requests (`endpoint/bucket/key`) rather than virtual-hosted (`bucket.endpoint/key`). */
  readonly forcePathStyle: boolean;
  /** Absent: the SDK default chain (the Lambda role), or, with an endpoint, see `clientCredentials`. */
  readonly credentials?: S3Credentials;
  /** Sockets per connection pool (per lane). */
  readonly maxSockets: number;
  /** Give up connecting after this many ms. */
  readonly connectTimeoutMs: number;
  /** Fail a request whose socket is idle this long (not a whole-request timeout). */
  readonly socketTimeoutMs: number;
}

const cache = new Map<string, readonly [S3Client, S3Client]>();
/** Per client: the sockets of its pool, as slots (see `socketSlots`). */
const slots = new WeakMap<S3Client, Semaphore>();

/**
 * The socket slots of a client's connection pool (`maxSockets` of them). S3Store takes a slot
 * before it sends and keeps it until the response body is read, so requests queue here and
 * never inside the HTTP agent — where the wait would count against the SDK's connect timeout
 * (a queued request fails with "did not establish a connection within 3000 ms" though no
 * connection was tried) and against the straggler deadline (a queued request gets hedged).
 */
export function socketSlots(client: S3Client): Semaphore {
  const s = slots.get(client);
  if (!s) throw new Error('socketSlots: not a client made by s3Clients()');
  return s;
}

/** The two clients (primary, duplicate lane) for these settings, created once per process. */
export function s3Clients(s: S3ClientSettings): readonly [S3Client, S3Client] {
  const creds = clientCredentials(s);
  const id = JSON.stringify([
    s.endpoint ?? '',
    s.region,
    s.forcePathStyle,
    creds?.accessKeyId ?? '',
    creds?.sessionToken ?? '',
    s.maxSockets,
    s.connectTimeoutMs,
    s.socketTimeoutMs,
  ]);
  let pair = cache.get(id);
  if (!pair) {
    pair = [makeClient(s, creds), makeClient(s, creds)] as const;
    cache.set(id, pair);
  }
  return pair;
}

/**
 * Explicit credentials win. With a custom endpoint and none given: the AWS_* environment
 * variables if set, else s3rver's dummy account (`S3RVER`), so a local server needs no setup.
 * Without an endpoint: undefined, i.e. the SDK's default chain.
 */
function clientCredentials(s: S3ClientSettings): S3Credentials | undefined {
  if (s.credentials) return s.credentials;
  if (!s.endpoint) return undefined;
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    };
  }
  return { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
}

function makeClient(s: S3ClientSettings, credentials: S3Credentials | undefined): S3Client {
  const agent = { keepAlive: true, maxSockets: s.maxSockets };
  const client = new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    ...(credentials ? { credentials } : {}),
    // Our retry loop (retry.ts) is the only one, so that every attempt is counted.
    maxAttempts: 1,
    // Without these, S3-compatible servers store stream bodies with aws-chunked framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      httpAgent: new http.Agent(agent),
      httpsAgent: new https.Agent(agent),
      connectionTimeout: s.connectTimeoutMs,
      socketTimeout: s.socketTimeoutMs,
    },
  });
  slots.set(client, new Semaphore(s.maxSockets));
  return client;
}
