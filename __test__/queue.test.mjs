import test from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from '../index.mjs';
import { spawn, sleep, rejectsWithCode, waitFor } from './helpers.mjs';

test('Queue: 3 producers and 3 consumers, every item arrives exactly once', async () => {
  const PER_PRODUCER = 100_000;
  const q = new Queue(Uint32Array, 256);
  const seen = new Uint8Array(new SharedArrayBuffer(3 * PER_PRODUCER));
  const producers = [0, 1, 2].map((p) =>
    spawn(async ({}, { q, p, PER_PRODUCER }) => {
      for (let i = 0; i < PER_PRODUCER; i++) {
        const item = p * PER_PRODUCER + i;
        if (i % 1000 === 0) await q.pushAsync(item, { timeout: 10_000 });
        else if (i % 2 === 0) q.push(item, { timeout: 10_000 });
        else while (!q.tryPush(item));
      }
      return 'done';
    }, { q, p, PER_PRODUCER }),
  );
  const consumers = [0, 1, 2].map((k) =>
    spawn(async ({}, { q, seen, k }) => {
      let got = 0;
      const batch = new Uint32Array(16);
      for (;;) {
        if (k === 0) {
          const n = q.read(batch, { timeout: 10_000 });
          if (n === 0) break;
          for (let i = 0; i < n; i++) seen[batch[i]]++;
          got += n;
        } else {
          const v = k === 1 ? q.pop({ timeout: 10_000 }) : await q.popAsync({ timeout: 10_000 });
          if (v === undefined) break;
          seen[v]++;
          got++;
        }
      }
      return got;
    }, { q, seen, k }),
  );
  assert.deepEqual(await Promise.all(producers.map((p) => p.result(60_000))), ['done', 'done', 'done']);
  q.close();
  const counts = await Promise.all(consumers.map((c) => c.result(60_000)));
  assert.equal(counts.reduce((a, b) => a + b, 0), 3 * PER_PRODUCER);
  let missing = 0;
  let twice = 0;
  for (const n of seen) {
    if (n === 0) missing++;
    else if (n > 1) twice++;
  }
  assert.equal(missing, 0);
  assert.equal(twice, 0);
  assert.equal(q.size, 0);
});

test('Queue: FIFO in one thread, capacity, close, timeouts', async () => {
  const q = new Queue(Float64Array, 3);
  assert.equal(q.capacity, 4);
  for (let i = 0; i < 4; i++) assert.equal(q.tryPush(i + 0.5), true);
  assert.equal(q.tryPush(9), false);
  assert.equal(q.isFull, true);
  assert.throws(() => q.push(9, { timeout: 5 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  assert.equal(q.peek(), 0.5);
  const out = new Float64Array(8);
  assert.equal(q.popMany(out), 4);
  assert.deepEqual([...out.subarray(0, 4)], [0.5, 1.5, 2.5, 3.5]);
  await rejectsWithCode(assert, () => q.popAsync({ timeout: 10 }), 'ERR_SHMKIT_TIMEOUT');
  const waiting = q.popAsync({ timeout: 10_000 });
  const blocked = spawn(({}, { q }) => String(q.pop({ timeout: 10_000 })), { q });
  await sleep(30);
  q.close();
  assert.equal(await waiting, undefined);
  assert.equal(await blocked.result(), 'undefined');
  assert.throws(() => q.tryPush(1), { code: 'ERR_SHMKIT_CLOSED' });
  assert.throws(() => q.pushMany(new Float64Array(0)), { code: 'ERR_SHMKIT_CLOSED' });
  assert.throws(() => q.write(new Float64Array(2)), (e) => e.code === 'ERR_SHMKIT_CLOSED' && e.written === 0);
  const big = new Queue(BigUint64Array, 2);
  big.push(2n ** 64n - 1n);
  assert.equal(big.pop(), 2n ** 64n - 1n);
  assert.equal(Queue.from(structuredClone(big)).capacity, 2);
});

test('Queue: hostile writes to positions and stamps never crash or hang', async () => {
  const q = new Queue(Int32Array, 8);
  const stop = new Int32Array(new SharedArrayBuffer(8));
  const vandal = spawn(({}, { buffer, stop }) => {
    const w = new Int32Array(buffer);
    Atomics.store(stop, 1, 1);
    let n = 0;
    while (Atomics.load(stop, 0) === 0) {
      const i = n % 2 === 0 ? [16, 32, 48][n % 3] : 64 + (n % 8);
      Atomics.store(w, i, (Math.random() * 2 ** 32) | 0);
      n++;
    }
    return n;
  }, { buffer: q.buffer, stop });
  await waitFor(() => Atomics.load(stop, 1) !== 0, 'Atomics.load(stop, 1) !== 0');
  let calls = 0;
  for (let i = 0; i < 20_000; i++) {
    for (const fn of [() => q.tryPush(i), () => q.tryPop(), () => q.peek(), () => q.size, () => q.pushMany(new Int32Array(3))]) {
      calls++;
      try {
        fn();
      } catch (err) {
        if (err.code !== 'ERR_SHMKIT_CLOSED') throw err;
      }
    }
  }
  Atomics.store(stop, 0, 1);
  assert.ok((await vandal.result()) > 0);
  assert.equal(calls, 100_000);
});

test('Queue: a blocking pop behind a producer paused mid-push sleeps and keeps its timeout', async () => {
  const q = new Queue(Int32Array, 4);
  // A producer that claimed the slot at tail 0 and never published it: the
  // tail moved, the slot's stamp did not.
  const words = new Int32Array(q.buffer, q.byteOffset, 64);
  Atomics.store(words, 32, 1); // the Queue's tail word (src/layout.rs RING_TAIL_WORD)
  const w = spawn(({}, { q }) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let code;
    try {
      q.pop({ timeout: 300 });
    } catch (err) {
      code = err.code;
    }
    const ms = performance.now() - t0;
    const t1 = performance.now();
    try {
      q.pop({ timeout: 5 });
    } catch {}
    const short = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    return { code, ms, short, cpuMs: (cpu.user + cpu.system) / 1e3 };
  }, { q });
  const r = await w.result();
  assert.equal(r.code, 'ERR_SHMKIT_TIMEOUT');
  assert.ok(r.ms >= 290 && r.ms < 1_000, `the 300 ms wait took ${r.ms.toFixed(0)} ms`);
  assert.ok(r.short < 100, `a 5 ms timeout took ${r.short.toFixed(0)} ms`);
  assert.ok(r.cpuMs < 0.6 * (r.ms + r.short), `it spun: ${r.cpuMs.toFixed(0)} ms of CPU in ${(r.ms + r.short).toFixed(0)} ms`);
});

test('Queue: a sleeper whose slot another consumer took meanwhile still wakes for the next push (replayed interleaving)', async () => {
  // One thread plays three: Atomics.load is wrapped so that other threads'
  // whole operations run at chosen points of the sleeper's pop():
  //  1. while the sleeper reads its head h, slot h is filled and emptied;
  //  2. as its attempt reads the tail, a producer pushes at h + 1 and sees no
  //     waiting bit (none is set yet), so wakes nobody;
  //  3. the sleeper watches slot h's stamp, which will not change again.
  // Its own head moved, so it must not sleep (it slept a whole 50 ms slice).
  const { createRequire } = await import('node:module');
  const { HEAD, TAIL } = createRequire(import.meta.url)('../lib/ring-common.js');
  const realLoad = Atomics.load;
  try {
    for (const async of [true, false]) {
      const q = new Queue(Int32Array, 4);
      q.tryPush(1);
      q.tryPop();
      let stage = 1;
      let inside = false;
      Atomics.load = function (a, i) {
        const v = realLoad(a, i);
        if (inside || stage === 0) return v;
        inside = true;
        try {
          const stack = new Error().stack;
          if (stage === 1 && i === HEAD && /blockUntil/.test(stack)) {
            q.tryPush(7);
            assert.equal(q.tryPop(), 7);
            stage = 2;
          } else if (stage === 2 && i === TAIL && /tryPop/.test(stack)) {
            assert.equal(q.tryPush(8), true);
            stage = 3;
          }
        } finally {
          inside = false;
        }
        return v;
      };
      const t0 = performance.now();
      const v = async ? await q.popAsync({ timeout: 2_000 }) : q.pop({ timeout: 2_000 });
      const ms = performance.now() - t0;
      Atomics.load = realLoad;
      assert.equal(stage, 3, 'the interleaving was replayed');
      assert.equal(v, 8);
      assert.ok(ms < 25, `${async ? 'popAsync' : 'pop'} took ${ms.toFixed(1)} ms`);
    }
  } finally {
    Atomics.load = realLoad;
  }
});

test('Queue: a push wakes one blocked consumer, not all of them; each push wakes the next', async () => {
  const { createRequire } = await import('node:module');
  const native = createRequire(import.meta.url)('../lib/binding.js');
  const { TAIL, CONSUMERS_WAITING, STATE } = createRequire(import.meta.url)('../lib/ring-common.js');
  const q = new Queue(Int32Array, 8);
  const words = new Int32Array(q.buffer, q.byteOffset, 64);
  const sleepers = () => native.ringWaiters(words, TAIL, CONSUMERS_WAITING);
  const consumers = [0, 1, 2].map(() => spawn(({}, { q }) => q.pop({ timeout: 20_000 }), { q }));
  await waitFor(() => sleepers() === 3, 'three consumers asleep');
  q.push(10);
  assert.equal(sleepers(), 2, 'the other two sleep on');
  assert.ok(Atomics.load(words, STATE) & CONSUMERS_WAITING, 'with the waiting bit still set for them');
  // The woken one takes 10 and leaves. (Had 11 been there already, it would
  // have woken the next sleeper for it: a taker passes a ready item on.)
  await Promise.race(consumers.map((c) => c.exited(10_000)));
  q.push(11);
  assert.equal(sleepers(), 1);
  q.push(12);
  assert.equal(sleepers(), 0);
  const got = (await Promise.all(consumers.map((c) => c.result(10_000)))).sort((a, b) => a - b);
  assert.deepEqual(got, [10, 11, 12]);
  assert.equal(Atomics.load(words, STATE) & CONSUMERS_WAITING, 0, 'the bit cleared with the last sleeper');
});
