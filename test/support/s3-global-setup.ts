/**
 * vitest globalSetup: one local S3 server (s3rver, see s3server.ts) for the whole test run,
 * started before any test file and stopped after the last. Test files get its address with
 * `inject('s3Endpoint')` and `inject('s3Bucket')`, and should work under a prefix of their
 * own (the bucket is shared by every file of the run).
 */
import type { TestProject } from 'vitest/node';
import { startS3Server } from './s3server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** e.g. `http://127.0.0.1:41234` */
    s3Endpoint: string;
    /** A bucket that exists on that server. */
    s3Bucket: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Test workers inherit this: the SDK's "Node 20 support ends in 2027" notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const server = await startS3Server('stratus-test');
  project.provide('s3Endpoint', server.endpoint);
  project.provide('s3Bucket', server.bucket);
  return () => server.stop();
}
