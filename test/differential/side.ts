/**
 * Differential test, the steps a join's or set operation's right side may take (and the main
 * pipeline too): one dispatch over SideStep kinds.
 */
import { drop, dropna, fillna, rename, repartition, withColumn } from './columns.js';
import type { Ctx, Frame } from './frame.js';
import type { SideStep } from './model.js';
import { distinct, filter, groupBy, select } from './rows.js';

export function side(b: Ctx, f: Frame, s: SideStep): Frame {
  switch (s.k) {
    case 'filter':
      return filter(b, f, s.p);
    case 'select':
      return select(b, f, s);
    case 'groupBy':
      return groupBy(b, f, s);
    case 'distinct':
      return distinct(b, f);
    case 'dropna':
      return dropna(b, f, s);
    case 'fillna':
      return fillna(b, f, s);
    case 'withColumn':
      return withColumn(b, f, s);
    case 'drop':
      return drop(b, f, s);
    case 'repartition':
      return repartition(f, s);
    case 'rename':
      return rename(b, f, s);
    default:
      return s satisfies never;
  }
}
