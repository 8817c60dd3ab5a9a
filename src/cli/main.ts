/**
 * The `stratus` command: its commands and options (commander), config resolution, and exit codes.
 * Each command is a thin layer over the session and the job record in the store (commands/*.ts);
 * `main(argv)` returns the exit code, so tests drive the CLI in-process. docs/cli.md documents it.
 */
import { Command, CommanderError, Option } from 'commander';
import type { AwsClients } from './aws.js';
import { runStoredJob } from './background.js';
import {
  cancelCommand,
  gcCommand,
  listCommand,
  logsCommand,
  resumeCommand,
  statusCommand,
  waitCommand,
} from './commands/control.js';
import { cdkCommand, iamCommand, type InfraOptions, synthCommand } from './commands/infra.js';
import { reportCommand } from './commands/report.js';
import { explainCommand, runCommand, submitCommand } from './commands/submit.js';
import { type ConfigFlags, resolveConfig } from './config.js';
import { CliContext } from './context.js';
import { errorJson, errorText, EXIT, exitForError, type Io, processIo } from './output.js';

export interface MainOptions {
  readonly io?: Io;
  readonly clients?: AwsClients;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

type Flags = ConfigFlags & { json?: boolean };

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0))
    throw new CommanderError(EXIT.usage, 'stratus.badNumber', `${name} must be a number ≥ 0, got '${v}'`);
  return n;
};

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], opts: MainOptions = {}): Promise<number> {
  const io = opts.io ?? processIo;
  const cwd = opts.cwd ?? process.cwd();
  let code: number = EXIT.ok;
  let json = argv.includes('--json');
  const contexts: CliContext[] = [];
  const program = new Command('stratus')
    .description(
      'Run Stratus dataframe jobs locally or on AWS Lambda + Step Functions, follow them, and report on them.',
    )
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.replace(/\n$/, '')), writeErr: (t) => io.err(t.replace(/\n$/, '')) })
    .option('--json', 'print one JSON document instead of text')
    .option('--config <file>', 'config file (default ./stratus.config.json; env STRATUS_CONFIG)')
    .addOption(new Option('--target <target>', 'where jobs run (env STRATUS_TARGET)').choices(['local', 'aws']))
    .option('--store <url>', 'job store: a directory (default ./.stratus) or s3://bucket/prefix (env STRATUS_STORE)')
    .option('--endpoint <url>', 'S3-compatible endpoint for s3:// stores (env STRATUS_ENDPOINT)')
    .option('--stack <name>', 'deployed stack whose outputs name the state machine and bucket (default StratusStack)')
    .option('--state-machine <arn>', 'state machine ARN, instead of reading the stack (env STRATUS_STATE_MACHINE_ARN)')
    .option('--region <region>', 'AWS region (env AWS_REGION)')
    .option('--profile <name>', 'AWS profile (env AWS_PROFILE)')
    .option('--executors <n>', 'local executor processes (default: the cores)');

  /** Wrap a command: config from flags/env/file, a context, errors printed with their code. */
  const action =
    <A extends unknown[]>(f: (ctx: CliContext, ...args: A) => Promise<number>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const flags = cmd.optsWithGlobals() as Flags;
      json = flags.json ?? false;
      const config = resolveConfig(flags, opts.env ?? process.env, cwd);
      if (config.profile) process.env.AWS_PROFILE = config.profile;
      const ctx = new CliContext(io, config, opts.clients ?? {}, json, cwd);
      contexts.push(ctx);
      code = await f(ctx, ...(args.slice(0, -1) as A));
    };

  program
    .command('run')
    .description('run a job file to its end and print its result (locally unless --target aws)')
    .argument('<file>', 'job file: default export (session) => DataFrame | { frame, write }')
    .option('--limit <n>', 'rows of the result to print', positive('--limit'), 20)
    .action(action((ctx, file: string, o: { limit: number }) => runCommand(ctx, file, o)));
  program
    .command('explain')
    .description('print the logical, optimized and staged plans of a job file (the plan the driver runs)')
    .argument('<file>', 'job file')
    .action(action((ctx, file: string) => explainCommand(ctx, file)));
  program
    .command('submit')
    .description('store a job and start it (a background runner, or an execution on AWS); prints its id and returns')
    .argument('<file>', 'job file')
    .action(action((ctx, file: string) => submitCommand(ctx, file)));
  program
    .command('status')
    .description('print a job’s status and progress')
    .argument('<job>', 'job id')
    .action(action((ctx, job: string) => statusCommand(ctx, job)));
  program
    .command('wait')
    .description('wait for a job to end, with live progress; exit 0 succeeded, 1 failed, 4 timed out, 5 cancelled')
    .argument('<job>', 'job id')
    .option('--timeout <seconds>', 'give up after this long (the job keeps running)', positive('--timeout'))
    .action(action((ctx, job: string, o: { timeout?: number }) => waitCommand(ctx, job, o)));
  program
    .command('logs')
    .description('print a job’s log: its local runner’s output, or its execution history on AWS')
    .argument('<job>', 'job id')
    .action(action((ctx, job: string) => logsCommand(ctx, job)));
  program
    .command('report')
    .description('write a self-contained HTML report of a job: plan, stages, task timeline, time, bytes, cost')
    .argument('<job>', 'job id')
    .option('-o, --out <file>', 'output file (default stratus-report-<job>.html)')
    .action(action((ctx, job: string, o: { out?: string }) => reportCommand(ctx, job, o)));
  program
    .command('cancel')
    .description('stop a job’s execution and mark it cancelled (resume continues it)')
    .argument('<job>', 'job id')
    .option('--reason <text>', 'recorded with the job')
    .action(action((ctx, job: string, o: { reason?: string }) => cancelCommand(ctx, job, o)));
  program
    .command('resume')
    .description('resume a failed, cancelled or abandoned job from its last completed stage')
    .argument('<job>', 'job id')
    .option('--wait', 'wait for it to end')
    .action(action((ctx, job: string, o: { wait?: boolean }) => resumeCommand(ctx, job, o)));
  program
    .command('list')
    .description('list the jobs in the store, newest first')
    .action(action((ctx) => listCommand(ctx)));
  program
    .command('gc')
    .description('remove finished, failed and abandoned jobs older than the retention (never a running one)')
    .option(
      '--retention-hours <h>',
      'keep jobs seen alive within this many hours (default 24)',
      positive('--retention-hours'),
    )
    .action(action((ctx, o: { retentionHours?: number }) => gcCommand(ctx, o)));
  for (const verb of ['synth', 'deploy', 'destroy'] as const) {
    program
      .command(verb)
      .description(
        verb === 'synth'
          ? 'synthesize the CDK stack offline (no credentials) into ./cdk.out'
          : `${verb} the stack with the CDK CLI (${'aws-cdk@2.1148'}, telemetry off)`,
      )
      .option('--prefix <prefix>', "key prefix in the bucket ('' or ending in '/')")
      .option('--stack-name <name>', 'stack name (default StratusStack)')
      .option('--out <dir>', 'synth output directory')
      .option('--no-bundle', 'skip bundling the Lambda code (synth: template only, fast)')
      .option('--dry-run', 'print the CDK command instead of running it')
      .option('--lmi-subnets <ids>', 'run executors on Lambda Managed Instances in these subnets (comma-separated)')
      .option('--lmi-security-groups <ids>', 'security groups of those instances (comma-separated)')
      .action(action((ctx, o: InfraOptions) => (verb === 'synth' ? synthCommand(ctx, o) : cdkCommand(ctx, verb, o))));
  }
  program
    .command('iam')
    .description('print the IAM policy a client needs to run and follow jobs on the stack')
    .option('--prefix <prefix>', 'key prefix of the job store')
    .action(action((ctx, o: { prefix?: string }) => iamCommand(ctx, o)));
  program
    .command('__run', { hidden: true })
    .argument('<job>')
    .action(
      action((ctx, job: string) =>
        ctx.storeUrl().then((store) =>
          runStoredJob(
            {
              store,
              ...(ctx.config.endpoint ? { endpoint: ctx.config.endpoint } : {}),
              ...(ctx.config.executors ? { executors: ctx.config.executors } : {}),
            },
            job,
          ),
        ),
      ),
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok;
      if (e.code === 'stratus.badNumber') io.err(`stratus: ${e.message}`);
      return EXIT.usage;
    }
    if (json) io.out(JSON.stringify(errorJson(e)));
    io.err(errorText(e));
    code = exitForError(e);
  } finally {
    for (const c of contexts) await c.close();
  }
  return code;
}
