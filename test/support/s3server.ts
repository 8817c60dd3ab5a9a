/**
 * A local S3-compatible server for tests: s3rver in a child process on 127.0.0.1, on a free
 * port, data in a temporary directory, one bucket created at start.
 *
 * The child runs node with `--openssl-legacy-provider`: s3rver's paginated ListObjectsV2
 * (continuation tokens, >1000 keys) fails with InternalError without it (see LIBRARIES.md).
 * A child process also keeps s3rver's CPU off the test worker's event loop.
 *
 * s3rver ignores conditional writes; AWS S3 honours `If-None-Match: *` on PutObject (412
 * PreconditionFailed when the key exists). A middleware in front of s3rver's router gives it
 * that semantics: conditional PUTs of one key are serialized, and each checks the key first, so
 * exactly one of several racing creators wins, as on S3. Put-if-absent (the dataset log's
 * commit point) is exercised against S3 semantics in every S3 test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The credentials s3rver accepts (its built-in dummy account). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3Server {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  readonly bucket: string;
  /** Stop the server and remove its data directory. */
  stop(): Promise<void>;
}

/** Runs in the child (CommonJS, plain node): start s3rver, report the port, stop on request. */
const CHILD = `
const S3rver = require(process.env.STRATUS_S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true,
  directory: process.env.STRATUS_S3RVER_DIR,
  configureBuckets: [{ name: process.env.STRATUS_S3RVER_BUCKET, configs: [] }],
});
// If-None-Match: * on PutObject, as S3 answers it. Before the router (the last middleware).
const locks = new Map();
const ifNoneMatch = async (ctx, next) => {
  const parts = ctx.method === 'PUT' && ctx.get('if-none-match') === '*' ? ctx.path.split('/') : [];
  if (parts.length < 3 || !parts[2] || ctx.get('x-amz-copy-source') || ctx.query.partNumber) return next();
  const bucket = parts[1];
  const key = decodeURIComponent(parts.slice(2).join('/'));
  const id = bucket + '/' + key;
  const before = locks.get(id) || Promise.resolve();
  let release;
  const gate = new Promise((r) => (release = r));
  const mine = before.then(() => gate);
  locks.set(id, mine);
  await before;
  try {
    if (await server.store.existsObject(bucket, key)) {
      ctx.req.resume();
      ctx.status = 412;
      ctx.body = { Error: { Code: 'PreconditionFailed', Message: 'At least one of the pre-conditions you specified did not hold', Condition: 'If-None-Match', Resource: '/' + id } };
      return;
    }
    await next();
  } finally {
    release();
    if (locks.get(id) === mine) locks.delete(id);
  }
};
server.middleware.splice(server.middleware.length - 1, 0, ifNoneMatch);
const stop = () => server.close().catch(() => {}).finally(() => process.exit(0));
process.on('message', (m) => { if (m === 'stop') stop(); });
process.on('disconnect', stop);
server.run().then(
  (addr) => process.send({ port: addr.port }),
  (e) => { process.send({ error: String(e && e.stack || e) }); process.exit(1); },
);
`;

/** Start s3rver with `bucket` created; resolves once it accepts requests. */
export async function startS3Server(bucket = 'stratus-test'): Promise<LocalS3Server> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-s3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  const child: ChildProcess = fork('-e', [CHILD], {
    // fork() runs `node <execArgv> -e <script>`: the script is the "module" argument.
    execArgv: ['--openssl-legacy-provider'],
    env: { ...process.env, STRATUS_S3RVER_MODULE: modulePath, STRATUS_S3RVER_DIR: dir, STRATUS_S3RVER_BUCKET: bucket },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 20 s')), 20_000);
    child.once('message', (m: { port?: number; error?: string }) => {
      clearTimeout(timer);
      if (m.port) resolve(m.port);
      else reject(new Error(`s3rver failed to start: ${m.error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited during start-up (code ${code})`));
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.send('stop');
      })),
  };
}
