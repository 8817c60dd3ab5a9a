/**
 * What a command runs with: its output, the resolved configuration, AWS clients (mocked in
 * tests), and — built from those in one place — the job store, the session and the AWS runner.
 */
import * as path from 'node:path';
import { session, type Session } from '../api/session.js';
import type { AwsRunner } from '../aws/runner.js';
import { cachedStore } from '../runtime/env.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';
import { parseStoreUrl } from '../storage/url.js';
import { type AwsClients, type AwsTarget, awsRunner, awsTarget } from './aws.js';
import type { CliConfig } from './config.js';
import type { Io } from './output.js';

export class CliContext {
  private target: Promise<AwsTarget> | undefined;
  private runner: AwsRunner | undefined;

  constructor(
    readonly io: Io,
    readonly config: CliConfig,
    readonly clients: AwsClients,
    readonly json: boolean,
    readonly cwd: string,
  ) {}

  get aws(): boolean {
    return this.config.target === 'aws';
  }

  /** The AWS target (stack outputs read once). */
  awsTarget(): Promise<AwsTarget> {
    this.target ??= awsTarget(this.config, this.clients);
    return this.target;
  }

  /** The job store URL: the configured one, the stack's bucket on AWS, else `.stratus` here. */
  async storeUrl(): Promise<string> {
    if (this.aws) return (await this.awsTarget()).store;
    return this.config.store ?? path.resolve(this.cwd, '.stratus');
  }

  async storeRef(): Promise<StoreRef> {
    return parseStoreUrl(await this.storeUrl(), this.config.endpoint ? { endpoint: this.config.endpoint } : {});
  }

  async store(): Promise<ObjectStore> {
    return cachedStore(await this.storeRef());
  }

  /** The AWS runner (AWS target only), for starting, describing and stopping executions. */
  async awsRunner(): Promise<AwsRunner | undefined> {
    if (!this.aws) return undefined;
    this.runner ??= awsRunner(await this.awsTarget(), this.clients);
    return this.runner;
  }

  /** A session on the configured target: jobs run locally, or on the deployed state machine. */
  async session(opts: { progress?: boolean } = {}): Promise<Session> {
    const common = {
      store: await this.storeUrl(),
      progress: opts.progress ?? !this.json,
      ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
    };
    if (!this.aws)
      return session({ ...common, ...(this.config.executors ? { executors: this.config.executors } : {}) });
    const t = await this.awsTarget();
    return session({
      ...common,
      aws: {
        stateMachineArn: t.stateMachineArn,
        ...(t.region ? { region: t.region } : {}),
        ...(this.clients.sfn ? { client: this.clients.sfn } : {}),
      },
    });
  }

  async close(): Promise<void> {
    await this.runner?.close();
  }
}
