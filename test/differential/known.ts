/**
 * Differential test, known differences: engine bugs the differential test found that are not
 * fixed yet. The CI seed keeps generation away from them (so `npm test` stays green while each
 * has a pending regression test, listed here); `npm run fuzz` explores them unless --avoid-known.
 * Remove a switch once its bug is fixed and its regression test passes.
 */
import type { Avoid } from './build.js';

export const AVOID_KNOWN: Avoid = {
  // test/regressions/pending/using-semi-anti-key-order.pending.ts
  usingSemiAntiKeyOrder: true,
  // test/regressions/pending/setop-by-position.pending.ts
  setOpRightNames: true,
  // test/regressions/pending/dropna-nan.pending.ts
  dropnaNaN: true,
  // test/regressions/pending/fillna-nan.pending.ts
  fillnaNaN: true,
  // test/regressions/pending/nan-row-group-pruning.pending.ts
  nanRowGroupPruning: true,
};
