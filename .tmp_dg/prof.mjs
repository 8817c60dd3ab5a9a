import { readFileSync, readdirSync } from 'node:fs';
const f = readdirSync('.').find((n) => n.endsWith('.cpuprofile'));
const p = JSON.parse(readFileSync(f, 'utf8'));
const self = new Map(); const dt = p.timeDeltas; const byId = new Map(p.nodes.map((n) => [n.id, n]));
const t = new Map(); for (let i = 0; i < p.samples.length; i++) t.set(p.samples[i], (t.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
for (const [id, us] of t) { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + us); }
const tot = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log((v / 1000).toFixed(0).padStart(7), 'ms', (100 * v / tot).toFixed(1).padStart(5), '%', k);
