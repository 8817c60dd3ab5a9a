import { startS3Server } from '../test/support/s3server.ts';
import { S3Client, DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
const srv = await startS3Server('b1');
const c = new S3Client({ endpoint: srv.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
c.middlewareStack.add((next) => async (args: any) => { console.log('REQ', args.request.method, args.request.path, args.request.query, JSON.stringify(args.request.headers)); try { const r: any = await next(args); console.log('RES', r.response.statusCode); return r; } catch (e: any) { console.log('ERR', e.name, e.message); throw e; } }, { step: 'finalizeRequest' });
await c.send(new PutObjectCommand({ Bucket: 'b1', Key: 'a', Body: new Uint8Array(3) }));
try { const r = await c.send(new DeleteObjectsCommand({ Bucket: 'b1', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }], Quiet: true } })); console.log(r); } catch (e: any) { console.log('E', e.name, e.message, e.$metadata); }
await srv.stop();
