/**
 * Parameter Store: SSM batching, backoff and errors (against aws-sdk-client-mock), the local
 * file/env backend, the TTL cache, and that secret values never leak into errors or JSON.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import {
  GetParametersCommand,
  InternalServerError,
  SSMClient,
  ThrottlingException,
  type GetParametersCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StratusError } from '../planner/errors.js';
import {
  LocalParameterSource,
  ParameterCache,
  SsmParameterSource,
  envVarFor,
  parameterSourceFor,
  redact,
  resetSharedSsmClients,
  sharedSsmClient,
  type ParameterSource,
} from '../src/runtime/params.js';

const ssm = mockClient(SSMClient);
const secretOf = (name: string): string => `s3cr3t-value-of-${name}`;

/** Answer GetParameters from a name → value table, reporting unknown names as invalid. */
function serve(table: Record<string, string>): void {
  ssm.on(GetParametersCommand).callsFake((input: GetParametersCommandInput) => {
    const names = input.Names ?? [];
    return {
      Parameters: names.filter((n) => n in table).map((n) => ({ Name: n, Value: table[n], Type: 'SecureString' })),
      InvalidParameters: names.filter((n) => !(n in table)),
    };
  });
}

function inputs(): GetParametersCommandInput[] {
  return ssm.commandCalls(GetParametersCommand).map((c) => c.args[0].input);
}

/** A recorded, instant sleep. */
function recorder(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

const throttle = (): ThrottlingException =>
  new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

async function rejection(p: Promise<unknown>): Promise<StratusError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StratusError);
  return e as StratusError;
}

beforeEach(() => ssm.reset());
afterEach(() => resetSharedSsmClients());

describe('SsmParameterSource', () => {
  it('loads 23 names in 3 GetParameters calls of at most 10 names, all WithDecryption', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `/stratus/p${i}`);
    serve(Object.fromEntries(names.map((n) => [n, secretOf(n)])));
    const got = await new SsmParameterSource(new SSMClient({ region: 'us-east-1' })).get(names);
    const calls = inputs();
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.Names!.length).toBeLessThanOrEqual(10);
      expect(c.WithDecryption).toBe(true);
    }
    expect(calls.flatMap((c) => c.Names).sort()).toEqual([...names].sort());
    expect([...got.keys()]).toEqual(names);
    for (const n of names) expect(got.get(n)).toBe(secretOf(n));
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    ssm.on(GetParametersCommand).callsFake(async (input: GetParametersCommandInput) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { Parameters: input.Names!.map((n) => ({ Name: n, Value: 'v' })) };
    });
    const names = Array.from({ length: 45 }, (_, i) => `n${i}`);
    await new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), { concurrency: 2 }).get(names);
    expect(inputs()).toHaveLength(5);
    expect(peak).toBe(2);
  });

  it('retries ThrottlingException with exponential backoff: two throttles then success is 3 calls', async () => {
    ssm
      .on(GetParametersCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ Parameters: [{ Name: 'a', Value: secretOf('a') }] });
    const { sleeps, sleep } = recorder();
    const source = new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), {
      retry: { baseMs: 50, capMs: 1000, sleep, random: () => 0.999 },
    });
    const got = await source.get(['a']);
    expect(got).toEqual(new Map([['a', secretOf('a')]]));
    expect(inputs()).toHaveLength(3);
    expect(sleeps).toEqual([49, 99]);
  });

  it('jitters each delay within [0, min(max, base * 2^retry))', async () => {
    ssm.on(GetParametersCommand).rejects(throttle());
    const { sleeps, sleep } = recorder();
    const randoms = [0.5, 0.25, 0.5, 0.1, 0.7];
    const source = new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), {
      retry: { maxAttempts: 6, baseMs: 100, capMs: 500, sleep, random: () => randoms.shift()! },
    });
    await rejection(source.get(['a']));
    // caps: 100, 200, 400, then 500 (capMs)
    expect(sleeps).toEqual([50, 50, 200, 50, 350]);
  });

  it('gives up after the attempt limit with a PARAMS_THROTTLED resource error', async () => {
    ssm.on(GetParametersCommand).rejects(throttle());
    const { sleeps, sleep } = recorder();
    const source = new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), { retry: { maxAttempts: 4, sleep } });
    const e = await rejection(source.get(['/db/password']));
    expect(e.category).toBe('resources');
    expect(e.code).toBe('PARAMS_THROTTLED');
    expect(e.message).toMatch(/throttled/);
    expect(e.details).toMatchObject({ attempts: 4, names: ['/db/password'], awsCode: 'ThrottlingException' });
    expect(inputs()).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it('retries 5xx InternalServerError', async () => {
    ssm
      .on(GetParametersCommand)
      .rejectsOnce(new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } }))
      .resolves({ Parameters: [{ Name: 'a', Value: 'x' }] });
    const { sleep } = recorder();
    const got = await new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), { retry: { sleep } }).get(['a']);
    expect(got.get('a')).toBe('x');
    expect(inputs()).toHaveLength(2);
  });

  it('does not retry a non-transient error such as AccessDenied', async () => {
    const denied = Object.assign(new Error('not authorized to perform ssm:GetParameters'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    ssm.on(GetParametersCommand).rejects(denied);
    const { sleeps, sleep } = recorder();
    const e = await rejection(
      new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), { retry: { sleep } }).get(['a']),
    );
    expect(e.code).toBe('PARAMS_READ_FAILED');
    expect(e.message).toContain('AccessDeniedException');
    expect(inputs()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('reports InvalidParameters across all batches by name, without any value', async () => {
    const present = Array.from({ length: 12 }, (_, i) => `/ok/${i}`);
    const table = Object.fromEntries(present.map((n) => [n, secretOf(n)]));
    serve(table);
    const source = new SsmParameterSource(new SSMClient({ region: 'us-east-1' }));
    const e = await rejection(
      source.get([...present.slice(0, 9), '/missing/one', ...present.slice(9), '/missing/two']),
    );
    expect(e.code).toBe('PARAMS_MISSING');
    expect(e.message).toContain('/missing/one');
    expect(e.message).toContain('/missing/two');
    expect(e.details.missing).toEqual(['/missing/one', '/missing/two']);
    const everything = [e.message, String(e), JSON.stringify(e.toData()), e.stack ?? ''].join('\n');
    for (const v of Object.values(table)) expect(everything).not.toContain(v);
  });

  it('matches parameters requested with a version selector', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/db/pw', Selector: ':3', Value: 'v3' }] });
    const got = await new SsmParameterSource(new SSMClient({ region: 'us-east-1' })).get(['/db/pw:3']);
    expect(got.get('/db/pw:3')).toBe('v3');
  });

  it('makes no call for an empty request and collapses duplicate names', async () => {
    serve({ a: '1' });
    const source = new SsmParameterSource(new SSMClient({ region: 'us-east-1' }));
    expect((await source.get([])).size).toBe(0);
    expect(inputs()).toHaveLength(0);
    expect([...(await source.get(['a', 'a'])).keys()]).toEqual(['a']);
    expect(inputs()[0]!.Names).toEqual(['a']);
  });
});

describe('ParameterCache', () => {
  const table = { a: secretOf('a'), b: secretOf('b'), c: secretOf('c') };
  let clock = 0;
  const now = (): number => clock;
  const cached = (): ParameterCache =>
    new ParameterCache(new SsmParameterSource(new SSMClient({ region: 'us-east-1' })), { ttlMs: 1000, now });
  beforeEach(() => {
    clock = 0;
    serve(table);
  });

  it('serves a second get within the TTL from the cache, and refetches after expiry', async () => {
    const cache = cached();
    expect((await cache.get(['a', 'b'])).get('a')).toBe(table.a);
    expect(inputs()).toHaveLength(1);
    clock = 999;
    expect((await cache.get(['b', 'a'])).get('b')).toBe(table.b);
    expect(inputs()).toHaveLength(1);
    clock = 1000;
    expect((await cache.get(['a', 'b'])).get('a')).toBe(table.a);
    expect(inputs()).toHaveLength(2);
  });

  it('fetches only the names not cached, in one call', async () => {
    const cache = cached();
    await cache.get(['a']);
    const got = await cache.get(['a', 'b', 'c']);
    expect([...got.entries()]).toEqual([
      ['a', table.a],
      ['b', table.b],
      ['c', table.c],
    ]);
    expect(inputs().map((i) => i.Names)).toEqual([['a'], ['b', 'c']]);
  });

  it('dedups concurrent requests for the same names', async () => {
    const cache = cached();
    const [x, y, z] = await Promise.all([cache.get(['a', 'b']), cache.get(['b', 'a']), cache.get(['b', 'c'])]);
    expect(x.get('a')).toBe(table.a);
    expect(y.get('b')).toBe(table.b);
    expect(z.get('c')).toBe(table.c);
    expect(inputs().map((i) => i.Names)).toEqual([['a', 'b'], ['c']]);
  });

  it('clear() forgets values', async () => {
    const cache = cached();
    await cache.get(['a']);
    cache.clear();
    expect(cache.size).toBe(0);
    await cache.get(['a']);
    expect(inputs()).toHaveLength(2);
  });

  it('does not store a fetch that was in flight when clear() ran', async () => {
    const cache = cached();
    const pending = cache.get(['b']);
    cache.clear();
    expect((await pending).get('b')).toBe(table.b);
    expect(cache.size).toBe(0);
  });

  it('caches nothing from a failed fetch', async () => {
    const cache = cached();
    await rejection(cache.get(['a', 'nope']));
    await cache.get(['a']);
    expect(inputs().map((i) => i.Names)).toEqual([['a', 'nope'], ['a']]);
  });

  it('never shows values in JSON, toString or inspect', async () => {
    const cache = cached();
    await cache.get(['a', 'b', 'c']);
    const shown = [
      JSON.stringify(cache),
      String(cache),
      inspect(cache, { showHidden: true, depth: 10 }),
      JSON.stringify({ cache }),
    ];
    expect(shown[0]).toContain('"a"');
    for (const s of shown) for (const v of Object.values(table)) expect(s).not.toContain(v);
  });
});

describe('LocalParameterSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stratus-params-'));
    mkdirSync(path.join(dir, '.stratus'));
    writeFileSync(
      path.join(dir, '.stratus', 'params.json'),
      JSON.stringify({ 'db/password': 'from-file', shared: 'file-wins' }),
    );
  });

  it('reads the default file, then falls back to STRATUS_PARAM_* environment variables', async () => {
    const env = { STRATUS_PARAM_API_KEY: 'from-env', STRATUS_PARAM_SHARED: 'env-loses' };
    const got = await new LocalParameterSource({ cwd: dir, env }).get(['db/password', 'api-key', 'shared']);
    expect([...got.entries()]).toEqual([
      ['db/password', 'from-file'],
      ['api-key', 'from-env'],
      ['shared', 'file-wins'],
    ]);
  });

  it('takes the file path from STRATUS_PARAMS_FILE, and treats a missing file as empty', async () => {
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ x: 'other-x' }));
    expect(
      (await new LocalParameterSource({ cwd: dir, env: { STRATUS_PARAMS_FILE: other } }).get(['x'])).get('x'),
    ).toBe('other-x');
    const none = new LocalParameterSource({ file: path.join(dir, 'absent.json'), env: { STRATUS_PARAM_X: 'env-x' } });
    expect((await none.get(['x'])).get('x')).toBe('env-x');
  });

  it('names every missing parameter and its env variable, without any value', async () => {
    const source = new LocalParameterSource({ cwd: dir, env: {} });
    const e = await rejection(source.get(['db/password', '/prod/db-user', 'other']));
    expect(e.code).toBe('PARAMS_MISSING');
    expect(e.details.missing).toEqual(['/prod/db-user', 'other']);
    expect(e.message).toContain('STRATUS_PARAM__PROD_DB_USER');
    expect(e.message).toContain(path.join(dir, '.stratus', 'params.json'));
    expect(JSON.stringify(e.toData()) + e.message).not.toContain('from-file');
  });

  it('rejects a malformed file without quoting its content', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"k": "hunter2-secret",');
    const e = await rejection(new LocalParameterSource({ file: bad, env: {} }).get(['k']));
    expect(e.code).toBe('PARAMS_FILE_INVALID');
    expect(e.message).not.toContain('hunter2');
    writeFileSync(bad, JSON.stringify({ k: 42 }));
    expect((await rejection(new LocalParameterSource({ file: bad, env: {} }).get(['k']))).message).toMatch(
      /'k' must be a string/,
    );
  });

  it('normalizes names to env variable names', () => {
    expect(envVarFor('/prod/db-password')).toBe('STRATUS_PARAM__PROD_DB_PASSWORD');
    expect(envVarFor('apiKey.v2')).toBe('STRATUS_PARAM_APIKEY_V2');
  });
});

describe('redact', () => {
  it('masks every occurrence of every value, longest first, ignoring empty values', () => {
    expect(redact('user=admin pw=hunter2 again hunter2', ['hunter2', ''])).toBe('user=admin pw=*** again ***');
    expect(redact('token abc123xyz', ['abc', 'abc123xyz'])).toBe('token ***');
    expect(redact('nothing here', [])).toBe('nothing here');
  });

  it('accepts the Map a source returns', () => {
    expect(redact('dsn=postgres://u:pw1@h', new Map([['db/pw', 'pw1']]))).toBe('dsn=postgres://u:***@h');
  });
});

describe('parameterSourceFor', () => {
  it('builds a local source', async () => {
    const source: ParameterSource = parameterSourceFor('local', {
      env: { STRATUS_PARAM_A: '1' },
      file: '/nonexistent/params.json',
    });
    expect(source).toBeInstanceOf(LocalParameterSource);
    expect((await source.get(['a'])).get('a')).toBe('1');
  });

  it('builds SSM sources that share one lazily built client per region', async () => {
    serve({ a: '1' });
    const s1 = parameterSourceFor('ssm', { region: 'eu-west-1' });
    const s2 = parameterSourceFor('ssm', { region: 'eu-west-1' });
    expect(s1).toBeInstanceOf(SsmParameterSource);
    await s1.get(['a']);
    await s2.get(['a']);
    const clients = ssm.commandCalls(GetParametersCommand).map((c) => c.thisValue as SSMClient);
    expect(clients).toHaveLength(2);
    expect(clients[0]).toBe(clients[1]);
    expect(clients[0]).toBe(sharedSsmClient('eu-west-1'));
    expect(sharedSsmClient('us-east-1')).not.toBe(clients[0]);
  });

  it('does not build the client until the first get', async () => {
    serve({ a: '1' });
    let built = 0;
    const source = new SsmParameterSource(() => {
      built++;
      return sharedSsmClient('eu-west-1');
    });
    expect(built).toBe(0);
    await source.get(['a']);
    expect(built).toBe(1);
  });

  it('rejects an unknown kind', () => {
    expect(() => parameterSourceFor('vault' as 'local')).toThrow(/unknown parameter source 'vault'/);
  });
});
