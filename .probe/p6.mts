import { startS3Server } from '../test/support/s3server.ts';
import { startFaultProxy } from '../test/support/faultproxy.ts';
import { S3Store } from '../src/storage/s3.ts';
const srv = await startS3Server('b1');
const proxy = await startFaultProxy(srv.endpoint, { slowDown: 0.2, delay: 0.2, reset: 0.1, delayMs: 2000 }, 77);
const s = new S3Store({ bucket: 'b1', prefix: 'x', endpoint: proxy.endpoint, multipartThreshold: 5 << 20, partSize: 5 << 20 });
const body = new Uint8Array(23 << 20); for (let i = 0; i < body.length; i++) body[i] = (i * 7919) & 255;
for (let k = 0; k < 3; k++) {
const t0 = Date.now();
await s.put('big' + k, body);
const back = await s.get('big' + k);
console.log('ms', Date.now() - t0, Buffer.from(back).equals(Buffer.from(body)), s.stats, proxy.stats);
}
await proxy.stop(); await srv.stop();
