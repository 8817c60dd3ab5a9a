/**
 * Explain: a stable text form, one node per line as `Name: key=value`, children indented by two
 * spaces — for the logical, optimized and staged plans. Tests compare it.
 */
import { agg, assertNever, exprToString } from './expr.js';
import type { PlanNode, SortKey } from './plan.js';
import { planChildren } from './plan.js';
import type { PhysicalOp, Stage, StagePlan } from './stages.js';
import { RULES } from './optimizer/index.js';
import { windowCallText } from './window.js';
import { PHYSICAL_RULES } from './optimizer/physicalRules.js';

const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;
const sortKeys = (keys: readonly SortKey[]) =>
  list(keys.map((k) => `${exprToString(k.expr)} ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`));

function describeNode(p: PlanNode): string {
  switch (p.kind) {
    case 'Scan':
      return `Scan: path=${p.path} columns=${p.columns ? list(p.columns) : '*'}${p.filters.length ? ` filters=${list(p.filters.map(exprToString))}` : ''}${p.mergeSchema ? ' mergeSchema=true' : ''}${p.format !== 'parquet' ? ` format=${p.format}` : ''}`;
    case 'Filter':
      return `Filter: predicate=${exprToString(p.predicate)}`;
    case 'Project':
      return `Project: exprs=${list(p.exprs.map(exprToString))}`;
    case 'Aggregate':
      return `Aggregate: keys=${list(p.keys.map(exprToString))} aggs=${list(p.aggs.map(exprToString))}`;
    case 'Sort':
      return `Sort: keys=${sortKeys(p.keys)}`;
    case 'Limit':
      return `Limit: n=${p.n}`;
    case 'Sample':
      return `Sample: fraction=${p.fraction} seed=${p.seed}`;
    case 'Expand':
      return `Expand: names=${list(p.names)} projections=${p.projections.map((x) => `[${x.map(exprToString).join(', ')}]`).join(' ')}`;
    case 'Join':
      return `Join: type=${p.type}${p.on ? ` on=${exprToString(p.on)}` : ''}${p.hint ? ` broadcast=${p.hint}` : ''}`;
    case 'Distinct':
      return `Distinct: columns=${p.columns ? list(p.columns) : '*'}`;
    case 'Union':
      return `Union: byName=${p.byName}`;
    case 'Repartition':
      return `Repartition: n=${p.n} keys=${list(p.keys.map(exprToString))}`;
    case 'Values':
      return `Values: rows=${p.rows.length}`;
    case 'WithColumns':
      return `WithColumns: columns=${list(p.columns.map((c) => `${exprToString(c.expr)} AS ${c.name}`))}`;
    case 'Rename':
      return `Rename: from=${p.from} to=${p.to}`;
    case 'Drop':
      return `Drop: names=${list(p.names)}`;
    case 'SetOp':
      return `SetOp: op=${p.op}`;
    case 'UsingJoin':
      return `UsingJoin: type=${p.type} keys=${list(p.keys)}${p.hint ? ` broadcast=${p.hint}` : ''}`;
    case 'MapRows':
      return `MapRows: mode=${p.mode} function=${p.name}${p.schema ? ` schema=${list(p.schema.map((f) => `${f.name}:${f.type}`))}` : ''}`;
    case 'DropNa':
      return `DropNa: how=${p.how} subset=${p.subset ? list(p.subset) : '*'}`;
    case 'Window':
      return `Window: partitionBy=${list(p.partitionBy.map(exprToString))} orderBy=${sortKeys(p.orderBy)} calls=${list(p.calls.map(windowCallText))}`;
    case 'FillNa':
      return `FillNa: value=${JSON.stringify(p.value)} subset=${p.subset ? list(p.subset) : '*'}`;
    default:
      return assertNever(p);
  }
}

export function explainLogical(p: PlanNode, depth = 0): string {
  const lines = [`${'  '.repeat(depth)}${describeNode(p)}`];
  for (const c of planChildren(p)) lines.push(explainLogical(c, depth + 1));
  return lines.join('\n');
}

function describeOp(op: PhysicalOp): string {
  switch (op.op) {
    case 'Filter':
      return `Filter: predicate=${exprToString(op.predicate)}`;
    case 'Project':
      return `Project: exprs=${list(op.exprs.map(exprToString))}`;
    case 'HashAggregate':
      return `HashAggregate: mode=${op.mode}${op.filter ? ` filter=${list(op.filter.map(exprToString))}` : ''} keys=${list(op.keys.map(exprToString))} aggs=${list(op.aggs.map((a) => `${exprToString(agg(a.fn, a.arg, a.more, a.options))} AS ${a.name}`))}`;
    case 'Sort':
      return `Sort: keys=${sortKeys(op.keys)}`;
    case 'TopN':
      return `TopN: n=${op.n} keys=${sortKeys(op.keys)}`;
    case 'Limit':
      return `Limit: n=${op.n}`;
    case 'Sample':
      return `Sample: fraction=${op.fraction} seed=${op.seed}`;
    case 'Expand':
      return `Expand: names=${list(op.schema.map((f) => f.name))} projections=${op.projections.length}`;
    case 'MapRows':
      return `MapRows: mode=${op.mode} function=${op.name}`;
    case 'Window':
      return `Window: partitionBy=${list(op.partitionBy.map(exprToString))} orderBy=${sortKeys(op.orderBy)} calls=${list(op.calls.map(windowCallText))}`;
    case 'HashJoin':
      return `HashJoin: type=${op.type} build=${op.build.kind}(stage ${op.build.stage}${op.build.partitions ? `, ${op.build.partitions} partitions` : ''}${op.build.parts ? `, ${op.build.parts.reduce((a, p) => a + p.rowGroups.length, 0)} row groups read here` : ''}${op.build.reads ? `, stages ${op.build.reads.join(', ')} read here` : ''}) probeKeys=${list(op.probeKeys.map(exprToString))} buildKeys=${list(op.buildKeys.map(exprToString))}${op.residual ? ` residual=${exprToString(op.residual)}` : ''}${op.scanFilter ? ' scanFilter' : ''}`;
    default:
      return assertNever(op);
  }
}

function describeStage(s: Stage): string[] {
  const out =
    s.output.kind === 'result'
      ? 'result'
      : s.output.kind === 'write'
        ? `write(${s.output.path}${s.output.text ? `, format=${s.output.text.format}` : s.output.arrow ? ', format=arrow' : ''}${s.output.partitionBy.length ? `, partitionBy=${list(s.output.partitionBy)}` : ''})`
        : s.output.partitioning.kind === 'single'
          ? 'shuffle(single)'
          : s.output.partitioning.kind === 'roundrobin'
            ? `shuffle(roundrobin, n=${s.output.partitioning.n}${s.output.sample ? ', sampled' : ''})`
            : s.output.partitioning.kind === 'range'
              ? `shuffle(range${sortKeys(s.output.partitioning.keys)}, n=${s.output.partitioning.n})`
              : `shuffle(hash${list(s.output.partitioning.keys.map(exprToString))}, n=${s.output.partitioning.n})`;
  const src = (source: Stage['source']) =>
    source.kind === 'scan'
      ? `${source.text ? (source.text.options.format === 'csv' ? 'CsvScan' : 'JsonScan') : source.arrow ? 'ArrowScan' : 'ParquetScan'}: path=${source.path} columns=${list(source.columns)}${source.filters.length ? ` filters=${list(source.filters.map(exprToString))}` : ''}`
      : `ShuffleRead: stage=${source.stages.join(',')}`;
  const a = s.adaptive;
  const alt = a
    ? [
        a.kind === 'join'
          ? a.deferredStage === s.id
            ? `  Adaptive: if stage ${a.smallStage} writes at most ${a.maxBytes} bytes, instead reduced by its rows:`
            : `  Adaptive: if stage ${a.smallStage} writes at most ${a.maxBytes} bytes, instead (stage ${a.deferredStage} not run):`
          : `  Adaptive: if stage ${a.inputStages.join(',')} writes at most ${a.maxBytes} bytes, instead as one task (stage ${a.skipped.join(', ')} not run):`,
        `    ${src(a.source)}`,
        ...a.ops.map((o) => `    ${describeOp(o)}`),
      ]
    : [];
  return [`Stage ${s.id}: output=${out}`, `  ${src(s.source)}`, ...s.ops.map((o) => `  ${describeOp(o)}`), ...alt];
}

export function explainStages(plan: StagePlan): string {
  return plan.stages.flatMap(describeStage).join('\n');
}

/** The rules in effect: `Rules: logical=[…] physical=[…] disabled=[…]`, each in the order it runs. */
export function explainRules(disabledRules: readonly string[] = []): string {
  const on = (names: readonly string[]) => list(names.filter((n) => !disabledRules.includes(n)));
  return `Rules: logical=${on(RULES.map((r) => r.name))} physical=${on(PHYSICAL_RULES.map((r) => r.name))} disabled=${list(disabledRules)}`;
}
