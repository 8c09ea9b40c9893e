// The shipped MIB against the real tools: libsmi's smilint and net-snmp's snmptranslate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureServices } from '../support/index.js';
import { MIB_DIR, baseMibDir, run, snmpToolsEnv } from '../support/snmp.js';

let base: string;
test.before(async () => {
  await ensureServices('snmptrapd'); // installs smilint and the net-snmp tools with it
  base = baseMibDir();
});

test('smilint -l 3 reports nothing on FAULTLINE-REG-MIB and FAULTLINE-ALARM-MIB', async () => {
  const env = { ...process.env, SMIPATH: `${base}:${MIB_DIR}` };
  const { stdout, stderr } = await run('smilint', ['-l', '3', `${MIB_DIR}/FAULTLINE-REG-MIB`, `${MIB_DIR}/FAULTLINE-ALARM-MIB`], { env });
  assert.is(stdout + stderr, '');
});

test('snmptranslate resolves the notifications and tables to the placeholder arc', async () => {
  const env = snmpToolsEnv([MIB_DIR, base], 'FAULTLINE-ALARM-MIB');
  const names = ['fltAlarmCritical', 'fltAlarmHierarchicalClear', 'fltAlarmActiveTable', 'fltEventTable', 'fltAlarmResync'];
  const { stdout } = await run('snmptranslate', ['-On', ...names.map((n) => `FAULTLINE-ALARM-MIB::${n}`)], { env });
  assert.equal(stdout.split('\n').filter(Boolean), [
    '.1.3.6.1.4.1.32473.2.1.0.1', '.1.3.6.1.4.1.32473.2.1.0.99', '.1.3.6.1.4.1.32473.2.1.1.1', '.1.3.6.1.4.1.32473.2.1.1.2',
    '.1.3.6.1.4.1.32473.2.1.0.11',
  ]);
});

test.run();
