import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prng } from '@faultline/collector-simulator';
import { rootOf } from '../src/index.js';

/** rootOf as it was first written, with the regular expression that defines where a path splits. */
const rootByRegExp = (entity: string): string => {
  const eq = entity.indexOf('=');
  const dot = entity.search(/\.(?=[A-Za-z0-9_-]+=)/);
  return eq < 0 ? entity : entity.slice(eq + 1, dot < 0 ? undefined : dot);
};

test('rootOf is the first element\'s value, a dot inside a later value or before the first = included', () => {
  const cases: [string, string][] = [
    ['host=compute-0', 'compute-0'], ['host=compute-0.interface=eth0.100', 'compute-0'], ['host=c0.filesystem=/var/log', 'c0'],
    ['system=cluster', 'cluster'], ['host=', ''], ['host', 'host'], ['a.b=1', ''], ['a.b c=1', '1'], ['h=a.b.c=1', 'a.b'],
    ['h=a..c=1', 'a.'], ['h=a.=1', 'a.=1'], ['h=x.', 'x.'], ['h=x.y', 'x.y'], ['host=a.b_c-D9=2', 'a'],
  ];
  for (const [entity, root] of cases) {
    assert.is(rootOf(entity), root, entity);
    assert.is(rootOf(entity), rootByRegExp(entity), entity);
  }
});

test('rootOf agrees with the regular expression on random paths', () => {
  const r = prng(7);
  const alphabet = 'ab=._-Z9 /=..';
  for (let n = 0; n < 20_000; n++) {
    let entity = '';
    const len = Math.floor(r() * 14);
    for (let i = 0; i < len; i++) entity += alphabet[Math.floor(r() * alphabet.length)];
    assert.is(rootOf(entity), rootByRegExp(entity), JSON.stringify(entity));
  }
});

test.run();
