import { startS3Server } from '../test/support/s3server.ts';
import { S3Store } from '../src/storage/s3.ts';
import { withRetry } from '../src/storage/retry.ts';
import { mapLimit } from '../src/storage/limit.ts';
const srv = await startS3Server('b1');
for (const conc of [4, 8, 16, 64]) {
const s = new S3Store({ bucket: 'b1', prefix: 'x' + conc, endpoint: srv.endpoint, straggler: { enabled: false } });
const keys = Array.from({ length: 300 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
let t = Date.now();
await mapLimit(keys, conc, (k) => s.put(k, new Uint8Array(7)));
console.log(conc, 'puts', Date.now() - t);
t = Date.now();
await s.delete(keys);
console.log('del', Date.now() - t, s.stats);
}
await s3empty();
async function s3empty() { const s = new S3Store({ bucket: 'b1', prefix: 'e', endpoint: srv.endpoint }); await s.put('e', new Uint8Array(0)); const t = Date.now(); console.log(await s.getRange('e', 0, 4), Date.now() - t, s.stats); }
await srv.stop();
