import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { DestinationSchema, classify, createRateLimiter, wants, type AlarmEvent, type Destination } from '../src/index.js';
import { alarm, clearAll, transition } from '@faultline/schemas/test-fixtures';

const filterOf = (f: Partial<Destination['filter']>) =>
  (Value.Default(DestinationSchema, { name: 'd', host: 'h', filter: f }) as Destination).filter;
const eventOf = (t: Parameters<typeof classify>[0]): AlarmEvent => {
  const c = classify(t);
  if (c.kind !== 'event') throw new Error('not an event');
  return c.event;
};

test('min_severity drops raises below it but never clears', () => {
  const f = filterOf({ min_severity: 'major' });
  assert.not.ok(wants(f, eventOf(transition('raised', alarm({ severity: 'minor' })))));
  assert.ok(wants(f, eventOf(transition('raised', alarm({ severity: 'critical' })))));
  assert.ok(wants(f, eventOf(transition('cleared', alarm({ severity: 'minor', state: 'cleared' })))));
});

test('alarm id filters take exact ids and group wildcards, and exclusions win', () => {
  const f = filterOf({ alarm_ids: ['700.*', '710.001'], exclude_alarm_ids: ['700.150'] });
  assert.ok(wants(f, eventOf(transition('raised', alarm({ alarm_id: '700.104' })))));
  assert.ok(wants(f, eventOf(transition('raised', alarm({ alarm_id: '710.001' })))));
  assert.not.ok(wants(f, eventOf(transition('raised', alarm({ alarm_id: '710.010' })))));
  assert.not.ok(wants(f, eventOf(transition('raised', alarm({ alarm_id: '700.150' })))));
});

test('a hierarchical clear goes where any alarm id it cleared is wanted', () => {
  const f = filterOf({ alarm_ids: ['710.*'] });
  assert.not.ok(wants(f, eventOf(clearAll('host=a', [alarm({ alarm_id: '700.101' })]))));
  assert.ok(wants(f, eventOf(clearAll('host=a', [alarm({ alarm_id: '700.101' }), alarm({ alarm_id: '710.001' })]))));
  assert.ok(wants(f, eventOf(clearAll('host=a', []))));
});

test('the rate limit lets a burst through, then holds and tallies for the summary', () => {
  const r = createRateLimiter(10, 5, 0);
  const passed = Array.from({ length: 8 }, () => r.take(0)).filter(Boolean).length;
  assert.is(passed, 5);
  r.hold(6, 'minor');
  r.hold(8, 'critical');
  r.hold(7, 'major');
  assert.equal(r.takeSummary(), { held: 3, firstEventIndex: 6, lastEventIndex: 8, highestSeverity: 'critical' });
  assert.is(r.takeSummary(), null);
  assert.ok(r.take(100)); // 100 ms at 10/s refills one token
  assert.not.ok(r.take(100));
});

test.run();
