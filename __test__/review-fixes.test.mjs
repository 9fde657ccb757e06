// Regression tests for problems a review found: each fails on the code before the fix.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { Mutex, Semaphore, RwLock } from '../index.mjs';
import { spawn, flags, sleep } from './helpers.mjs';

const require = createRequire(import.meta.url);

test('a queued async writer that is terminated does not strand the readers behind it', async () => {
  const rw = new RwLock();
  const held = rw.read();
  const writer = spawn(({}, { rw }, port) => {
    rw.writeAsync();
    port.postMessage('queued');
    setInterval(() => {}, 1000);
  }, { rw });
  assert.equal(await writer.next(), 'queued');
  while (!/writersWaiting: 1/.test(inspect(rw))) await sleep(1);
  const reader = spawn(({}, { rw }) => {
    const t = performance.now();
    rw.read({ timeout: 5_000 }).unlock();
    return performance.now() - t;
  }, { rw });
  while (!/readersWaiting: 1/.test(inspect(rw))) await sleep(1);
  await writer.worker.terminate();
  const waited = await reader.result();
  assert.ok(waited < 1_000, `the reader waited ${waited.toFixed(0)} ms`);
  held.unlock();
  assert.equal(rw.readers, 0);
});

test('a read lock handed to a blocked reader while it is terminated is given back', async () => {
  const rw = new RwLock();
  const w = rw.write();
  const f = flags();
  const reader = spawn(({}, { rw, f }) => {
    Atomics.store(f, 0, 1);
    rw.read(); // blocks; terminated while blocked
  }, { rw, f });
  while (Atomics.load(f, 0) === 0) await sleep(1);
  while (!/readersWaiting: 1/.test(inspect(rw))) await sleep(1);
  const terminated = reader.worker.terminate();
  w.unlock(); // may hand the read lock to the dying reader
  await terminated;
  const g = rw.write({ timeout: 2_000 }); // would time out if the dead reader kept its count
  g.unlock();
});

test('a semaphore header with an impossible max does not open', () => {
  const s = new Semaphore(1, { max: 3 });
  const words = new Int32Array(s.buffer);
  words[3] = -1; // max = 0xFFFFFFFF
  assert.throws(() => Semaphore.from({ buffer: s.buffer }), { code: 'ERR_SHMKIT_BAD_LAYOUT' });
});

test('async timeouts longer than a timer can hold do not fire early', async () => {
  const m = new Mutex();
  const g = m.lock();
  let settled = false;
  const p = m.lockAsync({ timeout: 2 ** 31 + 10 }).then(
    (g2) => g2,
    (e) => e,
  );
  p.then(() => (settled = true));
  await sleep(30);
  assert.equal(settled, false);
  g.unlock();
  const g2 = await p;
  assert.equal(g2.locked, true);
  g2.unlock();
});

test('loading the JS a second time in one thread shares the first registration', async () => {
  const m = new Mutex();
  const g = m.lock();
  for (const key of Object.keys(require.cache)) if (key.includes('/lib/') || key.endsWith('index.js')) delete require.cache[key];
  const again = require('../index.js');
  const m2 = again.Mutex.from({ buffer: m.buffer });
  const p = m2.lockAsync({ timeout: 2_000 });
  setTimeout(() => g.unlock(), 20);
  const g2 = await p;
  assert.equal(g2.locked, true);
  g2.unlock();
});
