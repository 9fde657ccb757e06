import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Queue } from '../index.mjs';
import { spawn, sleep, flags, rejectsWithCode, waitFor, insideGuards, waitersOf } from './helpers.mjs';

const require = createRequire(import.meta.url);
const native = require('../lib/binding.js');
const { HEAD, TAIL, STATE, CONSUMERS_WAITING } = require('../lib/ring-common.js');

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
        else if (!q.tryPush(item)) {
          const until = Date.now() + 10_000;
          while (!q.tryPush(item)) if (Date.now() > until) throw new Error(`no room for ${item} in 10 s`);
        }
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
  // All six awaited together: the first worker to fail fails the test at once.
  const produced = Promise.all(producers.map((p) => p.result(60_000))).then((done) => {
    q.close();
    return done;
  });
  const [done, counts] = await Promise.all([produced, Promise.all(consumers.map((c) => c.result(60_000)))]);
  assert.deepEqual(done, ['done', 'done', 'done']);
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
  // Both asleep (not merely started) when close() comes, which must wake
  // them: a wake takes a sleeper off the queue before close() returns.
  const { consumers } = waitersOf(q);
  await waitFor(() => consumers() === 2, 'the async and the blocked pop asleep');
  q.close();
  assert.equal(consumers(), 0, 'close() woke both sleepers');
  assert.deepEqual(await Promise.all([waiting, blocked.result()]), [undefined, 'undefined']);
  assert.throws(() => q.tryPush(1), { code: 'ERR_SHMKIT_CLOSED' });
  assert.throws(() => q.pushMany(new Float64Array(0)), { code: 'ERR_SHMKIT_CLOSED' });
  assert.throws(() => q.write(new Float64Array(2)), (e) => e.code === 'ERR_SHMKIT_CLOSED' && e.written === 0);
  const big = new Queue(BigUint64Array, 2);
  big.push(2n ** 64n - 1n);
  assert.equal(big.pop(), 2n ** 64n - 1n);
  assert.equal(Queue.from(structuredClone(big)).capacity, 2);
});

test('Queue: close() wakes producers asleep in push, write, pushAsync and writeAsync; each fails with ERR_SHMKIT_CLOSED having written nothing', async () => {
  const q = new Queue(Int32Array, 2);
  q.push(1);
  q.push(2);
  const blocked = [
    spawn(({}, { q }) => {
      try {
        q.push(3, { timeout: 10_000 });
        return 'pushed';
      } catch (err) {
        return err.code;
      }
    }, { q }),
    spawn(({}, { q }) => {
      try {
        return q.write(new Int32Array([4, 5]), { timeout: 10_000 });
      } catch (err) {
        return `${err.code}, written ${err.written}`;
      }
    }, { q }),
  ];
  // The async calls through two more objects over the same memory: one
  // object's async pushes take turns, so only its first would be asleep.
  const at = { buffer: q.buffer, byteOffset: q.byteOffset };
  const pushAsync = Queue.from(at).pushAsync(6, { timeout: 10_000 }).then(() => 'pushed', (err) => err.code);
  const writeAsync = Queue.from(at).writeAsync(new Int32Array([7, 8]), { timeout: 10_000 }).then((n) => n, (err) => `${err.code}, written ${err.written}`);
  const { producers } = waitersOf(q);
  await waitFor(() => producers() === 4, 'four producers asleep on the full Queue');
  q.close();
  assert.equal(producers(), 0, 'close() woke all four');
  const outcomes = await Promise.all([...blocked.map((b) => b.result()), pushAsync, writeAsync]);
  assert.deepEqual(outcomes, ['ERR_SHMKIT_CLOSED', 'ERR_SHMKIT_CLOSED, written 0', 'ERR_SHMKIT_CLOSED', 'ERR_SHMKIT_CLOSED, written 0']);
  // What was in before close() drains, and nothing else.
  assert.deepEqual([1, 2, 3].map(() => q.pop({ timeout: 1_000 })), [1, 2, undefined]);
});

test('Queue: hostile writes to positions, state and stamps never crash or hang, never give a value that was not pushed, and touch no byte outside the Queue', async () => {
  const length = Queue.byteLengthFor(Int32Array, 8);
  const { object: q, changed: guards } = insideGuards(length, (at) => new Queue(Int32Array, 8, at));
  assert.equal(guards(), 0, 'the Queue is made inside its own bytes');
  const stop = new Int32Array(new SharedArrayBuffer(8));
  const vandal = spawn(({}, { buffer, byteOffset, length, stop, HEAD, TAIL, STATE, STAMPS }) => {
    const w = new Int32Array(buffer, byteOffset, length / 4);
    const targets = [HEAD, TAIL, STATE, ...Array.from({ length: 8 }, (_, k) => STAMPS + k)];
    Atomics.store(stop, 1, 1);
    const until = Date.now() + 30_000;
    let n = 0;
    while (Atomics.load(stop, 0) === 0) {
      // Head, tail, state and the eight stamps, now and then with any
      // value, mostly with one near a position (an index's, give or take 2),
      // so that the Queue's own checks pass and its operations go on over
      // the damage; the state's waiting bits flipped, and its CLOSED bit set
      // by a random value, cleared by a 0.
      const i = targets[n % targets.length];
      const r = (Math.random() * 64) | 0;
      let v;
      if (r === 0) v = (Math.random() * 2 ** 32) | 0;
      else if (i === STATE) v = r === 1 ? 0 : Atomics.load(w, STATE) ^ (r & 1 ? 2 : 4);
      else v = (Atomics.load(w, r & 1 ? HEAD : TAIL) + (r % 5) - 2) | 0;
      Atomics.store(w, i, v);
      n++;
      if (n % 4096 === 0 && Date.now() > until) throw new Error('never told to stop');
    }
    return n;
  }, { buffer: q.buffer, byteOffset: q.byteOffset, length, stop, HEAD, TAIL, STATE, STAMPS: native.RING_DATA_OFFSET / 4 });
  await waitFor(() => Atomics.load(stop, 1) !== 0, 'the vandal to start writing');
  // The values pushed: BASE + i, and -7 (pushMany). Whatever a pop, peek or
  // popMany returns must be one of those, or 0 (a slot never written, which
  // a forged stamp can make a pop read); never a position or a stamp.
  const BASE = 1_000_000;
  const pushed = (v) => v === 0 || v === -7 || (Number.isInteger(v) && v >= BASE && v < BASE + 20_000);
  const sevens = new Int32Array([-7, -7, -7]);
  const moved = { pushed: 0, popped: 0 };
  const odd = []; // the first few wrong answers
  const wrong = (what) => odd.length < 10 && odd.push(what);
  const codes = {};
  const attempt = (fn) => {
    try {
      fn();
    } catch (err) {
      // A hostile state word may say closed; a wait may time out; nothing else.
      if (err.code !== 'ERR_SHMKIT_CLOSED' && err.code !== 'ERR_SHMKIT_TIMEOUT') throw err;
      codes[err.code] = (codes[err.code] ?? 0) + 1;
    }
  };
  const out = new Int32Array(4);
  try {
    for (let i = 0; i < 20_000; i++) {
      attempt(() => {
        const r = q.tryPush(BASE + i);
        if (r === true) moved.pushed++;
        else if (r !== false) wrong(`tryPush gave ${r}`);
      });
      attempt(() => {
        const v = q.tryPop();
        if (v !== undefined) moved.popped++;
        if (v !== undefined && !pushed(v)) wrong(`tryPop gave ${v}`);
      });
      attempt(() => {
        const v = q.peek();
        if (v !== undefined && !pushed(v)) wrong(`peek gave ${v}`);
      });
      attempt(() => {
        const n = q.size;
        if (!Number.isInteger(n) || n < 0 || n > 8) wrong(`size ${n}`);
      });
      attempt(() => {
        const n = q.pushMany(sevens);
        if (!(n >= 0 && n <= 3)) wrong(`pushMany gave ${n}`);
      });
      attempt(() => {
        out.fill(-1);
        const n = q.popMany(out);
        if (!(n >= 0 && n <= 4)) wrong(`popMany gave ${n}`);
        for (let k = 0; k < n; k++) if (!pushed(out[k])) wrong(`popMany gave ${out[k]}`);
      });
      if (i % 1000 === 0) {
        // The blocking forms end, whatever the words say.
        attempt(() => {
          const v = q.pop({ timeout: 1 });
          if (v !== undefined && !pushed(v)) wrong(`pop gave ${v}`);
        });
        attempt(() => q.push(BASE + i, { timeout: 1 }));
      }
    }
  } finally {
    Atomics.store(stop, 0, 1);
  }
  assert.ok((await vandal.result()) > 0);
  assert.deepEqual(odd, [], 'answers a Queue of these values cannot give');
  assert.ok(moved.pushed > 0 && moved.popped > 0, `values still moved over the damage (${JSON.stringify(moved)})`);
  assert.ok(codes.ERR_SHMKIT_CLOSED > 0, `the vandal's state words were seen (errors: ${JSON.stringify(codes)})`);
  assert.equal(guards(), 0, 'bytes around the Queue were written');
});

test('Queue: a blocking pop behind a producer paused mid-push sleeps and keeps its timeout', async () => {
  const q = new Queue(Int32Array, 4);
  // A producer that claimed the slot at tail 0 and never published it: the
  // tail moved, the slot's stamp did not.
  const { words, consumers } = waitersOf(q);
  Atomics.store(words, TAIL, 1);
  const f = flags();
  const w = spawn(({}, { q, f }) => {
    const timed = (timeout) => {
      const t0 = performance.now();
      try {
        return { v: q.pop({ timeout }) };
      } catch (err) {
        return { code: err.code, ms: performance.now() - t0 };
      } finally {
        Atomics.add(f, 0, 1);
      }
    };
    Atomics.store(f, 0, 1);
    return [timed(300), timed(5)];
  }, { q, f });
  // While the 300 ms pop lasts, look every millisecond or so whether it is
  // asleep. Retrying a slot whose producer is paused costs a try-call its
  // whole retry bound, so one that spun instead would be asleep about half
  // of the time, or less; one that sleeps is, between short looks.
  await waitFor(() => Atomics.load(f, 0) >= 1, 'the worker to start');
  let samples = 0;
  let asleep = 0;
  while (Atomics.load(f, 0) === 1) {
    samples++;
    if (consumers() === 1) asleep++;
    await sleep(1);
  }
  const [long, short] = await w.result();
  assert.equal(long.code, 'ERR_SHMKIT_TIMEOUT', `the 300 ms pop: ${JSON.stringify(long)}`);
  assert.ok(long.ms >= 299, `the 300 ms pop ended after ${long.ms.toFixed(1)} ms`);
  assert.ok(long.ms < 2_300, `the 300 ms pop ended only after ${long.ms.toFixed(0)} ms`);
  assert.equal(short.code, 'ERR_SHMKIT_TIMEOUT', `the 5 ms pop: ${JSON.stringify(short)}`);
  assert.ok(short.ms >= 4, `the 5 ms pop ended after ${short.ms.toFixed(1)} ms`);
  assert.ok(short.ms < 1_000, `the 5 ms pop ended only after ${short.ms.toFixed(0)} ms`);
  assert.ok(asleep >= 0.75 * samples, `asleep in only ${asleep} of ${samples} looks`);
});

test('Queue: a sleeper whose slot another consumer took meanwhile still wakes for the next push (replayed interleaving)', async () => {
  // One thread plays three: Atomics.load is wrapped so that other threads'
  // whole operations run at chosen points of the sleeper's pop():
  //  1. while the sleeper reads its head h, slot h is filled and emptied;
  //  2. as its attempt reads the tail, a producer pushes at h + 1 and sees no
  //     waiting bit (none is set yet), so wakes nobody;
  //  3. the sleeper watches slot h's stamp, which will not change again.
  // Its own head moved, so it must not sleep (it slept a whole 50 ms slice).
  // A worker watches the Queue's sleepers meanwhile: it must see none.
  const realLoad = Atomics.load;
  try {
    for (const async of [true, false]) {
      const q = new Queue(Int32Array, 4);
      q.tryPush(1);
      q.tryPop();
      const f = flags();
      const watcher = spawn(({}, { q, f, binding, TAIL, CONSUMERS_WAITING }) => {
        const words = new Int32Array(q.buffer, q.byteOffset, 64);
        const ringWaiters = require(binding).ringWaiters;
        const until = Date.now() + 20_000;
        let seen = 0;
        Atomics.store(f, 0, 1);
        while (Atomics.load(f, 1) === 0) {
          if (ringWaiters(words, TAIL, CONSUMERS_WAITING) !== 0) seen++;
          if (Date.now() > until) throw new Error('never told to stop');
        }
        return seen;
      }, { q, f, binding: require.resolve('../lib/binding.js'), TAIL, CONSUMERS_WAITING });
      await waitFor(() => Atomics.load(f, 0) === 1, 'the watcher to start');
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
      let v;
      try {
        v = async ? await q.popAsync({ timeout: 2_000 }) : q.pop({ timeout: 2_000 });
      } finally {
        Atomics.load = realLoad;
        Atomics.store(f, 1, 1);
      }
      const slept = await watcher.result();
      assert.equal(stage, 3, 'the interleaving was replayed');
      assert.equal(v, 8);
      assert.equal(slept, 0, `${async ? 'popAsync' : 'pop'} slept (seen asleep in ${slept} looks)`);
    }
  } finally {
    Atomics.load = realLoad;
  }
});

test('Queue: a push wakes one blocked consumer, not all of them; each push wakes the next', async () => {
  const q = new Queue(Int32Array, 8);
  const { words, consumers: sleepers } = waitersOf(q);
  const consumers = [0, 1, 2].map(() => spawn(({}, { q }) => q.pop({ timeout: 20_000 }), { q }));
  let exited = 0;
  for (const c of consumers) c.worker.once('exit', () => exited++);
  await waitFor(() => sleepers() === 3, 'three consumers asleep');
  // Each blocking pop waits in 50 ms slices, off the queue for a moment
  // between them: right after a push, a count can only be bounded. A wake
  // takes its sleeper off before the push returns.
  q.push(10);
  assert.ok(sleepers() <= 2, 'one sleeper woken');
  assert.ok(Atomics.load(words, STATE) & CONSUMERS_WAITING, 'the others not: the waiting bit is still set for them');
  // The woken one takes 10 and leaves; the other two sleep on. (Had 11 been
  // there already, it would have woken the next sleeper for it: a taker
  // passes a ready item on.)
  await waitFor(() => exited === 1 && sleepers() === 2, 'one consumer gone, two asleep');
  q.push(11);
  assert.ok(sleepers() <= 1, 'the next woken');
  await waitFor(() => exited === 2 && sleepers() === 1, 'two consumers gone, one asleep');
  q.push(12);
  assert.equal(sleepers(), 0, 'the last woken');
  const got = (await Promise.all(consumers.map((c) => c.result(10_000)))).sort((a, b) => a - b);
  assert.deepEqual(got, [10, 11, 12]);
  assert.equal(exited, 3);
  assert.equal(Atomics.load(words, STATE) & CONSUMERS_WAITING, 0, 'the bit cleared with the last sleeper');
});
