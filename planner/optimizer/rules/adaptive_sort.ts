/**
 * adaptive_sort: a global sort plans three stages — its input written with a key sample, range
 * partitioned, each range sorted — so that a big sort spreads over every executor. Most sorts
 * order a few rows (an aggregate's groups), and each stage costs a round of orchestration: the
 * sorting stage also gets a one-task form (`Stage.adaptive`, kind `sort`), which the driver runs
 * when what the sort's input reads turned out at most ADAPTIVE_SORT_BYTES (planner/physical.ts)
 * — the input's pipeline over every partition, then the sort — and the sample and range stages
 * never run (scheduler.ts). TPC-H Q1: the four groups are aggregated and sorted in one task, two
 * rounds fewer. A choice of the physical planner; the driver decides at run time.
 */
import type { PhysicalRule } from '../rule.js';

export const adaptiveSort = {
  name: 'adaptive_sort',
  phase: 'plan',
  description: 'sort a small input in one task once its size is known, instead of sample → range shuffle → sort',
} as const satisfies PhysicalRule;
