import { startS3Server } from '../test/support/s3server.ts';
import { startFaultProxy } from '../test/support/faultproxy.ts';
import { S3Store } from '../src/storage/s3.ts';
import { mapLimit } from '../src/storage/limit.ts';
const srv = await startS3Server('b1');
const proxy = await startFaultProxy(srv.endpoint, { slowDown: 0.1, delay: 0.3, reset: 0.05, delayMs: 2000 }, 1234);
const s = new S3Store({ bucket: 'b1', prefix: 'x', endpoint: proxy.endpoint });
const t0 = Date.now();
await mapLimit(Array.from({ length: 40 }, (_, i) => i), 8, async (i) => {
  const before = { ...s.stats };
  const t = Date.now();
  await s.put(`p/${i}`, new Uint8Array(32 * 1024));
  const ms = Date.now() - t;
  if (ms > 300) console.log('slow put', i, ms, s.stats.retries - before.retries, s.stats.duplicates - before.duplicates);
});
console.log('total', Date.now() - t0, s.stats, proxy.stats);
await proxy.stop(); await srv.stop();
