import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { columnarBatch, decode, encode, type SeriesDictionary } from '@faultline/schemas';
import { loadRulesFile, loadRulesText } from '../src/index.js';
import { ROOT, batch, engine, rules, run, single, summary } from './helpers.js';

const CPU = rules(`
rules:
  - name: cpu
    alarm_id: "700.101"
    metric: node_cpu_usage_ratio
    entity: host=<node>
    scale: 100
    levels:
      major: { raise: 90, clear: 88 }
      critical: { raise: 95, clear: 93 }
    raise_after: 7
    clear_after: 3
`);

/** Feeds values one per second and returns the transitions as "kind:severity", with the sample index. */
function feed(values: number[], set = CPU, metric = 'node_cpu_usage_ratio', scale = 0.01) {
  const e = engine({ rules: set });
  const seen: string[] = [];
  values.forEach((v, i) => {
    const o = run((out) => e.metrics(batch('c0', 1000 * (i + 1), [{ name: metric, labels: {}, value: v * scale }]), out));
    for (const s of summary(o.transitions)) seen.push(`${i}:${s}`);
  });
  return { e, seen };
}
const rep = (v: number, n: number) => Array<number>(n).fill(v);

const table: [string, number[], string[]][] = [
  ['6 samples beyond major: nothing', rep(91, 6), []],
  ['7 consecutive beyond major: raised major on the 7th', rep(91, 7), ['6:raised:major']],
  ['an interruption restarts the count', [...rep(91, 6), 50, ...rep(91, 7)], ['13:raised:major']],
  ['7 beyond critical: raised critical directly', rep(96, 7), ['6:raised:critical']],
  ['major then 7 beyond critical: step up', [...rep(91, 7), ...rep(96, 7)], ['6:raised:major', '13:updated:critical']],
  ['3 back inside clear: cleared', [...rep(91, 7), ...rep(50, 3)], ['6:raised:major', '9:cleared:major']],
  ['2 back inside: still raised', [...rep(91, 7), ...rep(50, 2)], ['6:raised:major']],
  ['in the band (88..90) nothing changes', [...rep(91, 7), ...rep(89, 20)], ['6:raised:major']],
  ['critical down to major band: step down after 3', [...rep(96, 7), ...rep(91, 3)], ['6:raised:critical', '9:updated:major']],
  ['critical to nothing: clear, not a step', [...rep(96, 7), ...rep(10, 3)], ['6:raised:critical', '9:cleared:critical']],
  ['critical band (93..95) holds critical', [...rep(96, 7), ...rep(94, 10)], ['6:raised:critical']],
  ['raise again needs 7 fresh samples', [...rep(91, 7), ...rep(50, 3), ...rep(91, 6)], ['6:raised:major', '9:cleared:major']],
];
for (const [name, values, expected] of table) {
  test(`cpu thresholds: ${name}`, () => assert.equal(feed(values).seen, expected));
}

test('N-of-M debounce: 3 of the last 5 samples', () => {
  const set = rules(`
rules:
  - { name: t, alarm_id: "700.101", metric: m, entity: host=<node>, levels: { major: { raise: 10, clear: 5 } }, raise_after: "3/5", clear_after: "2/4" }
`);
  assert.equal(feed([11, 0, 11, 0, 11], set, 'm', 1).seen, ['4:raised:major']);
  assert.equal(feed([11, 0, 11, 0, 0, 11], set, 'm', 1).seen, [], 'only 2 of the last 5');
  assert.equal(feed([11, 11, 11, 4, 6, 4], set, 'm', 1).seen, ['2:raised:major', '5:cleared:major']);
});

test('direction below: alarms when the value falls', () => {
  const set = rules(`
rules:
  - { name: t, alarm_id: "700.104", metric: free, entity: host=<node>.filesystem=<mountpoint>, direction: below, levels: { major: { raise: 20, clear: 25 }, critical: { raise: 10, clear: 12 } }, raise_after: 2, clear_after: 2 }
`);
  const e = engine({ rules: set });
  const got: string[] = [];
  [30, 19, 18, 9, 9, 11, 13, 13, 26, 26].forEach((v, i) => {
    const o = run((out) => e.metrics(batch('c0', i * 1000, [{ name: 'free', labels: { mountpoint: '/var' }, value: v }]), out));
    got.push(...summary(o.transitions));
    if (i === 2) assert.is(single(o.transitions[0]).alarm.entity_instance_id, 'host=c0.filesystem=/var');
  });
  assert.equal(got, ['raised:major', 'updated:critical', 'updated:major', 'cleared:major']);
});

test('label matchers select series; each series has its own entity and state', () => {
  const set = rules(`
rules:
  - { name: fs, alarm_id: "700.104", metric: use, labels: { fstype: "!~tmpfs|overlay", mountpoint: "=~/.*" }, entity: host=<node>.filesystem=<mountpoint>, levels: { major: { raise: 80, clear: 78 } }, raise_after: 1, clear_after: 1 }
`);
  const e = engine({ rules: set });
  const o = run((out) => e.metrics(batch('c0', 1, [
    { name: 'use', labels: { mountpoint: '/', fstype: 'ext4' }, value: 85 },
    { name: 'use', labels: { mountpoint: '/run', fstype: 'tmpfs' }, value: 99 },
    { name: 'use', labels: { mountpoint: '/var', fstype: 'xfs' }, value: 81 },
    { name: 'use', labels: { mountpoint: '/data', fstype: 'xfs' }, value: 10 },
  ]), out));
  assert.equal(o.transitions.map((t) => single(t).alarm.entity_instance_id), ['host=c0.filesystem=/', 'host=c0.filesystem=/var']);
  assert.is(e.seriesCount, 3);
});

test('rate of change: a counter\'s rate per second, resets skipped', () => {
  const set = rules(`
rules:
  - { name: err, alarm_id: "700.106", metric: errors_total, entity: host=<node>.disk=<device>, rate: counter, levels: { major: { raise: 5, clear: 1 } }, raise_after: 2, clear_after: 2 }
`);
  const e = engine({ rules: set });
  const got: string[] = [];
  // per second: -, 1, 10, 10, (reset: skipped), 0, 0
  [0, 1, 11, 21, 3, 3, 3].forEach((v, i) => {
    got.push(...summary(run((out) => e.metrics(batch('c0', i * 1000, [{ name: 'errors_total', labels: { device: 'sda' }, value: v }]), out)).transitions));
  });
  assert.equal(got, ['raised:major', 'cleared:major']);
});

test('absence: a silent series raises 700.150 stale data at tick, and its next sample clears it', () => {
  const set = rules(`
rules:
  - { name: cpu, alarm_id: "700.101", metric: cpu, entity: host=<node>, levels: { major: { raise: 90, clear: 88 } }, absent_after: 30s }
`);
  const e = engine({ rules: set });
  run((o) => e.metrics(batch('c0', 1000, [{ name: 'cpu', labels: {}, value: 1 }]), o));
  assert.equal(run((o) => e.tick(30_999, o)).transitions, []);
  const stale = run((o) => e.tick(31_000, o));
  assert.equal(summary(stale.transitions), ['raised:minor']);
  const a = single(stale.transitions[0]).alarm;
  assert.is(a.alarm_id, '700.150');
  assert.is(a.entity_instance_id, 'host=c0.metric=cpu');
  assert.equal(run((o) => e.tick(60_000, o)).transitions, [], 'raised once');
  const back = run((o) => e.metrics(batch('c0', 61_000, [{ name: 'cpu', labels: {}, value: 1 }]), o));
  assert.equal(summary(back.transitions), ['cleared:minor']);
});

test('forget_after: a series gone for good is dropped, its stale and threshold alarms cleared', () => {
  const set = rules(`
rules:
  - { name: fs, alarm_id: "700.104", metric: use, entity: host=<node>.filesystem=<mountpoint>, levels: { major: { raise: 80, clear: 78 } }, raise_after: 1, clear_after: 1, absent_after: 30s, forget_after: 1h }
`);
  const e = engine({ rules: set });
  const sample = (ts: number, mountpoint: string) => batch('c0', ts, [{ name: 'use', labels: { mountpoint }, value: 90 }]);
  run((o) => { e.metrics(sample(0, '/a'), o); e.metrics(sample(0, '/b'), o); });
  assert.is(e.activeCount, 2);
  // /b keeps reporting; /a was unmounted.
  for (let t = 10_000; t < 3_600_000; t += 10_000) run((o) => { e.metrics(sample(t, '/b'), o); e.tick(t, o); });
  assert.equal(e.query().map((a) => a.alarm.entity_instance_id).sort(), ['host=c0.filesystem=/a', 'host=c0.filesystem=/b', 'host=c0.metric=use']);
  const gone = run((o) => e.tick(3_600_000, o));
  assert.equal(summary(gone.transitions), ['cleared:minor', 'cleared:major']);
  assert.equal(e.query().map((a) => a.alarm.entity_instance_id), ['host=c0.filesystem=/b']);
  assert.is(e.seriesCount, 1);
  // It comes back: a new series, as if never seen.
  assert.equal(run((o) => e.metrics(sample(3_700_000, '/a'), o)).transitions.length, 1);
});

test('derived series: busy ratio from cpu counters, and used ratio from free/size gauges', () => {
  const set = rules(`
derived:
  - name: cpu_busy_percent
    numerator: { metric: node_cpu_seconds_total, labels: { mode: "=~idle|iowait" } }
    denominator: { metric: node_cpu_seconds_total }
    counters: true
    complement: true
    scale: 100
  - name: fs_used_percent
    numerator: { metric: node_filesystem_avail_bytes }
    denominator: { metric: node_filesystem_size_bytes }
    complement: true
    scale: 100
    by: [mountpoint]
rules:
  - { name: cpu, alarm_id: "700.101", metric: cpu_busy_percent, entity: host=<node>, levels: { major: { raise: 90, clear: 88 } }, raise_after: 1, clear_after: 1 }
  - { name: fs, alarm_id: "700.104", metric: fs_used_percent, entity: host=<node>.filesystem=<mountpoint>, levels: { major: { raise: 80, clear: 78 } }, raise_after: 1, clear_after: 1 }
`);
  const e = engine({ rules: set });
  const cpu = (ts: number, idle: number, user: number) => batch('c0', ts, [
    { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: idle },
    { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'user' }, value: user },
    { name: 'node_cpu_seconds_total', labels: { cpu: '1', mode: 'idle' }, value: idle },
    { name: 'node_cpu_seconds_total', labels: { cpu: '1', mode: 'user' }, value: user },
  ]);
  assert.equal(run((o) => e.metrics(cpu(0, 100, 100), o)).transitions, [], 'the first batch only sets the base');
  assert.equal(run((o) => e.metrics(cpu(1000, 150, 150), o)).transitions, [], '50 % busy');
  const hot = run((o) => e.metrics(cpu(2000, 155, 245), o)); // Δidle 10, Δall 200 → 95 % busy
  assert.equal(summary(hot.transitions), ['raised:major']);
  const fs = run((o) => e.metrics(batch('c0', 3000, [
    { name: 'node_filesystem_avail_bytes', labels: { mountpoint: '/' }, value: 10 },
    { name: 'node_filesystem_size_bytes', labels: { mountpoint: '/' }, value: 100 },
    { name: 'node_filesystem_avail_bytes', labels: { mountpoint: '/var' }, value: 90 },
    { name: 'node_filesystem_size_bytes', labels: { mountpoint: '/var' }, value: 100 },
  ]), o));
  assert.equal(fs.transitions.map((t) => single(t).alarm.entity_instance_id), ['host=c0.filesystem=/']);
});

test('the shipped rules load and follow StarlingX: cpu 90/95, memory 80/90, filesystem 80/90, 7 to raise, 3 to clear', () => {
  const { rules: set, issues } = loadRulesFile(resolve(ROOT, 'deploy/rules/thresholds.yaml'));
  assert.equal(issues, []);
  const by = Object.fromEntries(set.rules.map((r) => [r.alarm_id, r]));
  assert.equal(by['700.101']!.levels.map((l) => [l.severity, l.raise]), [['major', 90], ['critical', 95]]);
  assert.equal(by['700.103']!.levels.map((l) => [l.severity, l.raise]), [['major', 80], ['critical', 90]]);
  assert.equal(by['700.104']!.levels.map((l) => [l.severity, l.raise]), [['major', 80], ['critical', 90]]);
  for (const r of set.rules) {
    assert.equal(r.raise_after, { n: 7, m: 7 });
    assert.equal(r.clear_after, { n: 3, m: 3 });
  }
  assert.ok(readFileSync(resolve(ROOT, 'deploy/rules/thresholds.yaml'), 'utf8').includes('node_cpu_usage_ratio'));
});

test('rule file problems are reported with line and field', () => {
  const { issues } = loadRulesText(`
rules:
  - name: a
    alarm_id: "700.101"
    metric: m
    entity: host=<node>
    levels:
      major: { raise: 90, clear: 95 }
      critical: { raise: 85, clear: 80 }
  - name: b
    alarm_id: "700.101"
    metric: m
    entity: host=<node
    labels: { x: "=~(" }
    levels: { major: { raise: 1, clear: 0 } }
`, 'r.yaml');
  const f = issues.map((i) => `${i.line}:${i.field}`);
  assert.ok(f.includes('8:rules.0.levels.major.clear'), f.join(' '));
  assert.ok(f.includes('9:rules.0.levels.critical.raise'), f.join(' '));
  assert.ok(f.includes('13:rules.1.entity'), f.join(' '));
  assert.ok(f.includes('14:rules.1.labels.x'), f.join(' '));
  const order = loadRulesText('rules:\n  - { name: a, alarm_id: "700.101", metric: m, entity: host=<node>, levels: { major: { raise: 2, clear: 1 } }, absent_after: 1m, forget_after: 30s }\n', 'r.yaml').issues;
  assert.equal(order.map((i) => i.field), ['rules.0.forget_after']);
  const schema = loadRulesText('rules:\n  - name: a\n    alarm_id: 7\n', 'r.yaml').issues;
  assert.ok(schema.some((i) => i.field === 'rules.0.alarm_id' && i.line === 3), JSON.stringify(schema));
});

test('columnar batches decoded from the wire: hosts sharing one series dictionary keep their own series and alarms', () => {
  const fs = rules(`
rules:
  - name: fs
    alarm_id: "700.104"
    metric: node_filesystem_usage_ratio
    entity: host=<node>.filesystem=<mountpoint>
    labels: { mountpoint: "!=/boot" }
    scale: 100
    levels:
      major: { raise: 80, clear: 75 }
    raise_after: 1
    clear_after: 1
`);
  const e = engine({ rules: fs });
  const series: SeriesDictionary = { names: ['node_filesystem_usage_ratio', 'node_filesystem_usage_ratio', 'node_other'], labels: [{ mountpoint: '/' }, { mountpoint: '/boot' }, {}] };
  const at = (node: string, ts: number, root: number) => {
    const enc = encode('metric_batch', columnarBatch({ node, collector: 'sim', ts, interval_ms: 1000 }, series, Float64Array.of(root, 0.99, 5)));
    const d = decode('metric_batch', enc.headers, enc.value);
    if (!d.ok) throw new Error(d.detail);
    return d.value;
  };
  const seen = [
    ...summary(run((out) => e.metrics(at('a', 1000, 0.9), out)).transitions),
    ...summary(run((out) => e.metrics(at('b', 1000, 0.1), out)).transitions),
    ...summary(run((out) => e.metrics(at('a', 2000, 0.1), out)).transitions),
    ...summary(run((out) => e.metrics(at('b', 2000, 0.95), out)).transitions),
  ];
  assert.equal(seen, ['raised:major', 'cleared:major', 'raised:major']);
  assert.equal(e.seriesCount, 2, 'one / series per host; /boot not selected');
});

test.run();
