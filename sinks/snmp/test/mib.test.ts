import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALARM_TYPES, PROBABLE_CAUSES } from '@faultline/schemas';
import { ACTIVE_COLUMNS, EVENT_COLUMNS, NOTIFICATIONS, NOTIFICATION_OBJECTS, SCALARS } from '../src/index.js';

// The MIB text and the sink's OID tables are written by hand in two places; these checks keep them equal.
const MIB_DIR = resolve(import.meta.dirname, '../../../deploy/snmp');
const mib = readFileSync(resolve(MIB_DIR, 'FAULTLINE-ALARM-MIB'), 'utf8');
const reg = readFileSync(resolve(MIB_DIR, 'FAULTLINE-REG-MIB'), 'utf8');

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
function enumOf(tc: string): Record<string, number> {
  const body = new RegExp(`${tc} ::= TEXTUAL-CONVENTION[\\s\\S]*?SYNTAX\\s+INTEGER \\{([\\s\\S]*?)\\}`).exec(mib)?.[1];
  assert.ok(body, `${tc} not found`);
  return Object.fromEntries([...body.matchAll(/([a-zA-Z0-9]+) \((\d+)\)/g)].map((m) => [m[1]!, Number(m[2])]));
}
const assignedUnder = (name: string) => /::= \{ (\w+) (\d+) \}/.exec(mib.slice(mib.search(new RegExp(`\\n${name} (OBJECT|NOTIFICATION)-TYPE`))))!;

test('FltEventType and FltProbableCause carry exactly the X.733 numbers of schemas/src/x733.ts', () => {
  const camelize = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
  assert.equal(enumOf('FltEventType'), camelize(ALARM_TYPES));
  assert.equal(enumOf('FltProbableCause'), camelize(PROBABLE_CAUSES));
  assert.equal(enumOf('FltAlarmSeverity'), { warning: 1, minor: 2, major: 3, critical: 4 });
  assert.equal(enumOf('FltAlarmState'), { set: 1, clear: 2, log: 3 });
});

test('notification numbers match the sink', () => {
  for (const [name, n] of Object.entries(NOTIFICATIONS)) {
    const m = assignedUnder(NOTIFICATION_OBJECTS[name as keyof typeof NOTIFICATIONS]);
    assert.equal([m[1], Number(m[2])], ['fltAlarmNotifications', n], name);
  }
});

test('table columns and scalars match the sink', () => {
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  for (const [col, n] of Object.entries(ACTIVE_COLUMNS)) {
    const name = col === 'severity' ? 'fltAlarmActiveSeverity' : `fltAlarmActive${cap(col)}`;
    assert.equal([assignedUnder(name)[1], Number(assignedUnder(name)[2])], ['fltAlarmActiveEntry', n], name);
  }
  for (const [col, n] of Object.entries(EVENT_COLUMNS)) {
    const name = col === 'eventType' ? 'fltEventEventType' : `fltEvent${cap(col)}`;
    assert.equal([assignedUnder(name)[1], Number(assignedUnder(name)[2])], ['fltEventEntry', n], name);
  }
  const scalarNames: Record<keyof typeof SCALARS, string> = {
    activeCount: 'fltAlarmActiveCount', eventLastIndex: 'fltEventLastIndex', stormHeldCount: 'fltStormHeldCount',
    stormFirstEventIndex: 'fltStormFirstEventIndex', stormLastEventIndex: 'fltStormLastEventIndex',
    stormHighestSeverity: 'fltStormHighestSeverity',
  };
  for (const [k, name] of Object.entries(scalarNames)) {
    assert.equal([assignedUnder(name)[1], Number(assignedUnder(name)[2])], ['fltAlarmScalars', SCALARS[k as keyof typeof SCALARS]]);
  }
});

test('the arc is faultlineAlarms.1 under the placeholder enterprise number, never 731', () => {
  assert.match(mib, /::= \{ faultlineAlarms 1 \}/);
  assert.match(reg, /faultline OBJECT-IDENTITY[\s\S]*?::= \{ enterprises 32473 \}/);
  assert.match(reg, /faultlineAlarms OBJECT-IDENTITY[\s\S]*?::= \{ faultline 2 \}/);
  assert.not.match(reg + mib, /enterprises 731\b/);
});

test.run();
