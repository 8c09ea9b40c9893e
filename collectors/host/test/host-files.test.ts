import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHostFiles } from '../src/index.js';

const openFds = () => readdirSync('/proc/self/fd').length;

test('a file read again through its kept fd shows its new content, longer or shorter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-files-'));
  const files = createHostFiles();
  try {
    const p = join(dir, 'carrier');
    writeFileSync(p, '1\n');
    assert.is(files.read(p), '1\n');
    writeFileSync(p, 'a much longer text\n');
    assert.is(files.read(p), 'a much longer text\n');
    writeFileSync(p, '0\n');
    assert.is(files.read(p), '0\n');
    const big = 'x'.repeat(200_000);
    writeFileSync(p, big);
    assert.is(files.read(p), big, 'beyond the 64 KiB buffer: it grows');
  } finally {
    files.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sweep closes the fds of files not read since the last sweep; close closes all', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-files-'));
  const files = createHostFiles();
  try {
    for (const n of ['a', 'b']) writeFileSync(join(dir, n), n);
    const before = openFds();
    files.read(join(dir, 'a'));
    files.read(join(dir, 'b'));
    assert.is(openFds(), before + 2);
    files.sweep();
    files.read(join(dir, 'a'));
    files.sweep();
    assert.is(openFds(), before + 1, 'b was not read in the last interval');
    files.close();
    assert.is(openFds(), before);
  } finally {
    files.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is not tried again for 60 sweeps, then found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-files-'));
  const files = createHostFiles();
  try {
    const p = join(dir, 'ioerr_cnt');
    assert.is(files.read(p), undefined);
    writeFileSync(p, '0x2\n');
    assert.is(files.read(p), undefined, 'remembered as absent');
    for (let i = 0; i < 60; i++) files.sweep();
    assert.is(files.read(p), '0x2\n');
    assert.equal(files.list(join(dir, 'nope')), []);
  } finally {
    files.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
