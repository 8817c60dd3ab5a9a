/** REGION and NATION: the spec's fixed 5 regions and 25 nations, with generated comments. */
import type { Data } from 'apache-arrow';
import { StringColumn, bytesOf, int32Data } from './columns.js';
import type { GenContext } from './context.js';
import { NATIONS, REGIONS } from './dists.js';
import { Rng, STREAM } from './random.js';
import { putText } from './text.js';

export function regionColumns(ctx: GenContext): Data[] {
  const n = REGIONS.length;
  const keys = new Int32Array(n);
  const names = new StringColumn(n, 16);
  const comments = new StringColumn(n, 115);
  const rng = new Rng(STREAM.region);
  REGIONS.forEach((name, key) => {
    rng.seed(STREAM.region, key);
    keys[key] = key;
    names.push(bytesOf(name));
    putText(comments, rng, ctx.text, 31, 115);
    comments.commit();
  });
  return [int32Data(keys, n), names.finish(), comments.finish()];
}

export function nationColumns(ctx: GenContext): Data[] {
  const n = NATIONS.length;
  const keys = new Int32Array(n);
  const regions = new Int32Array(n);
  const names = new StringColumn(n, 16);
  const comments = new StringColumn(n, 114);
  const rng = new Rng(STREAM.nation);
  NATIONS.forEach(([name, region], key) => {
    rng.seed(STREAM.nation, key);
    keys[key] = key;
    regions[key] = region;
    names.push(bytesOf(name));
    putText(comments, rng, ctx.text, 31, 114);
    comments.commit();
  });
  return [int32Data(keys, n), names.finish(), int32Data(regions, n), comments.finish()];
}
