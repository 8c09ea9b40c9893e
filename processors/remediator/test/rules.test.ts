import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { globToRegExp, loadRulesFile, RulesError } from '../src/index.js';

test('entity globs: * stays in one segment, ** crosses segments', () => {
  assert.ok(globToRegExp('host=*').test('host=compute-0'));
  assert.not.ok(globToRegExp('host=*').test('host=compute-0.interface=eth0'));
  assert.ok(globToRegExp('host=*.filesystem=**').test('host=c0.filesystem=/var/log'));
  assert.ok(globToRegExp('710.*').test('710.001'));
  assert.not.ok(globToRegExp('710.*').test('7100001'));
  assert.not.ok(globToRegExp('host=(a|b)').test('host=a'));
});

test('the example rules file loads, with defaults filled in', () => {
  const rules = loadRulesFile(resolve(import.meta.dirname, '../../../deploy/remediation/rules.yaml'));
  assert.equal(rules.map((r) => r.name), ['ntp-resync', 'readonly-fs-reboot', 'link-flap-recover']);
  assert.equal(rules[0]!.match.kind, ['raised']);
  assert.is(rules[0]!.target, 'host');
  assert.is(rules[1]!.steps[0]!.approval, true);
});

test('problems are reported with file, line and field', () => {
  const text = [
    'rules:',
    '  - name: a',
    '    match: { alarm_id: ["700.140"] }',
    '    steps:',
    '      - action: { type: command, argv: [] }',
    '        timeout: soon',
    '  - name: a',
    '    match: { alarm_id: ["700.140"] }',
    '    steps: [{ action: { type: command, argv: [x] } }]',
  ].join('\n');
  try {
    loadRulesFile('r.yaml', text);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, RulesError);
    const msg = (err as Error).message;
    assert.match(msg, /r\.yaml:6:18: rules\.0\.steps\.0\.timeout/);
    assert.match(msg, /rules\.0\.steps\.0\.action\.argv: Expected array length/);
  }
  const dup = text.replace('argv: []', 'argv: [y]').replace('timeout: soon', 'timeout: 5s');
  assert.throws(() => loadRulesFile('r.yaml', dup), /names must be unique/);
});

test('a relative cwd or ca_file in an action is relative to the rules file, not to the working directory', () => {
  const text = [
    'rules:',
    '  - name: restart',
    '    match: { alarm_id: ["700.140"] }',
    '    steps:',
    '      - action: { type: command, argv: [./fix.sh], cwd: scripts }',
    '      - action: { type: kubernetes.cordon, api_server: "https://k:6443", token_env: K8S_TOKEN, ca_file: ../pki/ca.pem }',
  ].join('\n');
  const [rule] = loadRulesFile('/etc/faultline/remediation/rules.yaml', text);
  const actions = rule!.steps.map((s) => s.action as { cwd?: string; ca_file?: string; argv?: string[] });
  assert.is(actions[0]!.cwd, '/etc/faultline/remediation/scripts');
  assert.equal(actions[0]!.argv, ['./fix.sh'], 'argv is a command line, left as written');
  assert.is(actions[1]!.ca_file, '/etc/faultline/pki/ca.pem');
});

test.run();
