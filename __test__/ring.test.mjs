import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createRequire } from 'node:module';
import { RingBuffer, Queue, errors } from '../index.mjs';
import { spawn, sleep, rejectsWithCode, waitFor, flags, insideGuards, waitersOf } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { HEAD, TAIL, STATE } = require('../lib/ring-common.js');

test('1,000,000 values through a RingBuffer between workers: strict order, checksum', async () => {
  const N = 1_000_000;
  const ring = new RingBuffer(Float64Array, 1024);
  const producer = spawn(({}, { ring, N }) => {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      if (i % 3 === 0) ring.push(i, { timeout: 10_000 });
      else if (!ring.tryPush(i)) {
        const until = Date.now() + 10_000;
        while (!ring.tryPush(i)) if (Date.now() > until) throw new Error(`no room for ${i} in 10 s`);
      }
      sum += i;
    }
    ring.close();
    return sum;
  }, { ring, N });
  const consumer = spawn(({}, { ring }) => {
    let expected = 0;
    let sum = 0;
    for (const v of ring.values({ timeout: 10_000 })) {
      // Blocking iteration: ends at close once drained.
      if (v !== expected) throw new Error(`got ${v}, expected ${expected}`);
      expected++;
      sum += v;
    }
    return { count: expected, sum };
  }, { ring });
  const [sent, got] = await Promise.all([producer.result(60_000), consumer.result(60_000)]);
  assert.equal(got.count, N);
  assert.equal(got.sum, sent);
  assert.equal(ring.isEmpty, true);
  assert.equal(ring.closed, true);
});

test('batches and zero-copy regions across the wrap point, between workers', async () => {
  const ring = new RingBuffer(Int32Array, 64);
  const TOTAL = 100_000;
  const producer = spawn(async ({}, { ring, TOTAL }) => {
    let next = 0;
    let round = 0;
    const until = Date.now() + 30_000; // writeRegion finds a full ring without waiting
    while (next < TOTAL) {
      if (Date.now() > until) throw new Error(`only ${next} values written in 30 s`);
      const want = Math.min(TOTAL - next, 1 + (round++ % 50));
      if (round % 3 === 0) {
        const r = ring.writeRegion(want);
        let k = 0;
        for (const view of r.views) for (let i = 0; i < view.length; i++) view[i] = next + k++;
        r.commit(k);
        next += k;
      } else if (round % 3 === 1) {
        const batch = Int32Array.from({ length: want }, (_, i) => next + i);
        ring.write(batch, { timeout: 10_000 });
        next += want;
      } else {
        const batch = Int32Array.from({ length: want }, (_, i) => next + i);
        await ring.writeAsync(batch, { timeout: 10_000 });
        next += want;
      }
    }
    ring.close();
    return next;
  }, { ring, TOTAL });
  const consumer = spawn(async ({}, { ring, TOTAL }) => {
    let expected = 0;
    let wrapped = 0;
    let forced = 0;
    const target = new Int32Array(37);
    const until = Date.now() + 30_000; // readRegion finds an empty ring without waiting
    for (let round = 0; ; round++) {
      if (Date.now() > until) throw new Error(`only ${expected} values read in 30 s`);
      if (round % 2 === 0) {
        // A few times, where 40 values from the head cross the end of the
        // ring, wait until 40 are there, so that this region must wrap
        // however the two threads happen to run (the producer fills the
        // ring meanwhile: at least 100 values are still to come).
        if (forced < 5 && expected % 64 > 24 && expected < TOTAL - 100) {
          forced++;
          const deadline = Date.now() + 10_000;
          while (ring.size < 40) {
            if (Date.now() > deadline) throw new Error(`the ring stayed at ${ring.size} values`);
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        }
        const r = ring.readRegion(40);
        if (r.views.length === 2) wrapped++;
        let k = 0;
        for (const view of r.views) for (const v of view) {
          if (v !== expected + k) throw new Error(`region: got ${v}, expected ${expected + k}`);
          k++;
        }
        r.commit(k);
        expected += k;
        if (k === 0 && ring.closed && ring.isEmpty) break;
      } else {
        const n = round % 4 === 1 ? ring.read(target, { timeout: 10_000 }) : await ring.readAsync(target, { timeout: 10_000 });
        if (n === 0) break; // closed and drained
        for (let i = 0; i < n; i++) if (target[i] !== expected + i) throw new Error(`read: got ${target[i]}, expected ${expected + i}`);
        expected += n;
      }
    }
    return { expected, wrapped, forced };
  }, { ring, TOTAL });
  const [written, { expected, wrapped, forced }] = await Promise.all([producer.result(60_000), consumer.result(60_000)]);
  assert.equal(written, TOTAL);
  assert.equal(expected, TOTAL);
  assert.equal(forced, 5);
  assert.ok(wrapped >= forced, `every forced region wrapped (${wrapped} wrapped, ${forced} forced)`);
});

test('every element type, BigInt included', () => {
  const cases = [
    [Int8Array, -5],
    [Uint8Array, 250],
    [Uint8ClampedArray, 255],
    [Int16Array, -30000],
    [Uint16Array, 60000],
    [Int32Array, -2e9],
    [Uint32Array, 4e9],
    [Float32Array, 1.5],
    [Float64Array, Math.PI],
    [BigInt64Array, -(2n ** 62n)],
    [BigUint64Array, 2n ** 63n],
  ];
  for (const [Type, value] of cases) {
    const r = new RingBuffer(Type, 3);
    assert.equal(r.capacity, 4);
    assert.equal(r.Type, Type);
    assert.equal(r.tryPush(value), true);
    r.pushMany(new Type([value, value]));
    assert.equal(r.size, 3);
    assert.equal(r.tryPop(), value);
    const out = new Type(4);
    assert.equal(r.popMany(out), 2);
    assert.equal(out[1], value);
    assert.equal(r.tryPop(), undefined);
    assert.equal(RingBuffer.from(structuredClone(r)).Type, Type);
  }
  const big = new RingBuffer(BigInt64Array, 2);
  assert.throws(() => big.tryPush(1), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => big.pushMany(new Int32Array(1)), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => new RingBuffer(Float64Array, 2).tryPush(1n), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.equal(big.size, 0, 'a refused push changes nothing');
});

test('every element type crosses a worker thread and back through a RingBuffer and a Queue, value for value: extremes, negatives, fractions, -0, NaN, 64-bit BigInts', async () => {
  // (Float16Array has its own test below.) `values` are ones the type holds
  // exactly, so any change on the way (a wrong element size, a signed read,
  // a float stored narrower) shows; `raw` ones it converts, pushed by the
  // worker: they must arrive as the type converts them (clamped, wrapped,
  // truncated, rounded), which only a ring of that very type does.
  const cases = [
    [Int8Array, [-128, -1, 0, 1, 127], [200, -129, -1.9]],
    [Uint8Array, [0, 1, 128, 255], [256, -1, 2.9]],
    [Uint8ClampedArray, [0, 1, 128, 255], [300, -5, 1.5, 2.5]],
    [Int16Array, [-32768, -1, 0, 1, 32767], [40_000, -32769]],
    [Uint16Array, [0, 1, 32768, 65535], [-1, 65_536]],
    [Int32Array, [-(2 ** 31), -1, 0, 1, 2 ** 31 - 1], [2 ** 31, 1.9]],
    [Uint32Array, [0, 1, 2 ** 31, 2 ** 32 - 1], [-1, 2 ** 32]],
    [Float32Array, [-3.4028234663852886e38, -1.5, -0, 1.401298464324817e-45, Math.fround(0.1), Math.fround(Math.PI), Infinity, NaN], [0.1, 1e39, 2 ** -150]],
    [Float64Array, [-Number.MAX_VALUE, -2.5, -0, Number.MIN_VALUE, 0.1, Math.PI, -Infinity, NaN], []], // (a number is a Float64)
    [BigInt64Array, [-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n], [2n ** 63n, 2n ** 64n - 1n]],
    [BigUint64Array, [0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n], [-1n, 2n ** 64n]],
  ];
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const work = [];
  for (const [Type, values, raw] of cases) {
    assert.ok(same([...new Type(values)], values), `${Type.name} holds each of ${values} exactly`);
    if (raw.length > 0) assert.ok(!same([...new Type(raw)], raw), `${Type.name} converts ${raw}`);
    for (const Ring of [RingBuffer, Queue]) {
      // There: each value pushed alone, then all of them as one batch.
      const there = new Ring(Type, 16);
      for (const v of values) there.push(v, { timeout: 1_000 });
      assert.equal(there.write(new Type(values), { timeout: 1_000 }), values.length);
      work.push({ what: `${Ring.name}(${Type.name})`, values, raw, converted: [...new Type(raw)], there, back: new Ring(Type, 32) });
    }
  }
  // The worker takes them out (alone, then as a batch), compares, and sends
  // what it got back the same two ways, then the raw values.
  const worker = spawn(({}, { work }) => {
    const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    for (const { what, values, raw, there, back } of work) {
      const one = values.map(() => there.pop({ timeout: 10_000 }));
      const batch = new there.Type(values.length);
      for (let n = 0; n < batch.length; ) n += there.read(batch.subarray(n), { timeout: 10_000 });
      if (!same(one, values)) throw new Error(`${what}, one by one: sent ${values}, got ${one}`);
      if (!same([...batch], values)) throw new Error(`${what}, as a batch: sent ${values}, got ${batch}`);
      for (const v of one) back.push(v, { timeout: 10_000 });
      back.write(batch, { timeout: 10_000 });
      for (const v of raw) back.push(v, { timeout: 10_000 });
    }
    return work.length;
  }, { work });
  assert.equal(await worker.result(), work.length);
  for (const { what, values, raw, converted, back } of work) {
    const one = values.map(() => back.tryPop());
    const batch = new back.Type(values.length);
    assert.equal(back.popMany(batch), values.length, what);
    const conv = raw.map(() => back.tryPop());
    assert.ok(same(one, values), `${what}, one by one: sent ${values}, got back ${one}`);
    assert.ok(same([...batch], values), `${what}, as a batch: sent ${values}, got back ${batch}`);
    assert.ok(same(conv, converted), `${what}: pushed ${raw}, got ${conv}, not ${converted}`);
    assert.equal(back.size, 0, what);
  }
});

test('Float16Array rings and queues where the runtime has it (Node 24 on); elsewhere their memory is refused with a code', async () => {
  // A Float16 ring's memory, written here as an Int16 ring (same element
  // size) whose header element code (byte 7) then says Float16 (12).
  const made = new RingBuffer(Int16Array, 4);
  new Uint8Array(made.buffer, made.byteOffset + 7, 1)[0] = 12;
  const at = { buffer: made.buffer, byteOffset: made.byteOffset };
  if (typeof Float16Array !== 'function') {
    assert.throws(() => RingBuffer.from(at), { code: 'ERR_SHMKIT_BAD_LAYOUT', message: /element type 12 \(Float16Array\) is not available on this runtime/ });
    assert.throws(() => new RingBuffer(null, 4), { code: 'ERR_INVALID_ARG_TYPE' });
    return;
  }
  assert.equal(RingBuffer.from(at).Type, Float16Array);
  const ring = new RingBuffer(Float16Array, 8);
  const queue = new Queue(Float16Array, 8);
  assert.equal(RingBuffer.byteLengthFor(Float16Array, 8), RingBuffer.byteLengthFor(Int16Array, 8));
  const values = [0.5, -1.5, 65504, 2 ** -24, 3.140625];
  const worker = spawn(({}, { ring, queue, values }) => {
    const sent = ring.write(new Float16Array(values), { timeout: 10_000 });
    for (const v of values) queue.push(v, { timeout: 10_000 });
    ring.tryPush(1 / 3); // rounded to the nearest half-precision value
    ring.close();
    queue.close();
    return sent;
  }, { ring, queue, values });
  assert.equal(await worker.result(), values.length);
  const got = [];
  for (;;) {
    const v = ring.pop({ timeout: 10_000 });
    if (v === undefined) break;
    got.push(v);
  }
  assert.deepEqual(got, [...values, new Float16Array([1 / 3])[0]]);
  assert.notEqual(got.at(-1), 1 / 3);
  const out = new Float16Array(8);
  assert.equal(queue.popMany(out), values.length);
  assert.deepEqual([...out.subarray(0, values.length)], values);
  assert.equal(ring.Type, Float16Array);
  assert.match(inspect(queue), /type: 'Float16Array'/);
});

test('close wakes blocked and async consumers and producers', async () => {
  const empty = new RingBuffer(Int32Array, 4);
  const full = new RingBuffer(Int32Array, 2);
  full.tryPush(1);
  full.tryPush(2);
  const blocked = [
    spawn(({}, { empty }) => String(empty.pop({ timeout: 10_000 })), { empty }),
    spawn(({}, { full }) => {
      try {
        full.push(3, { timeout: 10_000 });
        return 'pushed';
      } catch (err) {
        return err.code;
      }
    }, { full }),
  ];
  const asyncPop = empty.popAsync({ timeout: 10_000 });
  const asyncPush = full.pushAsync(4, { timeout: 10_000 }).then(() => 'pushed', (err) => err.code);
  // The loop through another object over the same memory: one object's
  // async pops take turns, so behind asyncPop it would not be asleep itself.
  const iterated = (async () => {
    const seen = [];
    for await (const v of RingBuffer.from({ buffer: empty.buffer, byteOffset: empty.byteOffset }).values({ timeout: 10_000 })) seen.push(v);
    return seen;
  })();
  // All five asleep (not merely started) when close() comes, which must
  // wake them: a wake takes a sleeper off the queue before close() returns.
  const sleepers = [waitersOf(empty).consumers, waitersOf(full).producers];
  await waitFor(() => sleepers[0]() === 3 && sleepers[1]() === 2, 'three consumers and two producers asleep');
  empty.close();
  full.close();
  assert.deepEqual(sleepers.map((n) => n()), [0, 0], 'close() woke them all');
  const [outcomes, popped, pushed, seen] = await Promise.all([Promise.all(blocked.map((b) => b.result())), asyncPop, asyncPush, iterated]);
  assert.deepEqual(outcomes, ['undefined', 'ERR_SHMKIT_CLOSED']);
  assert.equal(popped, undefined);
  assert.equal(pushed, 'ERR_SHMKIT_CLOSED');
  assert.deepEqual(seen, []);
  // A closed ring still drains.
  assert.equal(full.pop({ timeout: 1_000 }), 1);
  assert.equal(await full.popAsync({ timeout: 1_000 }), 2);
  assert.equal(full.pop({ timeout: 1_000 }), undefined);
  assert.throws(() => full.tryPush(5), (e) => e instanceof errors.ClosedError);
  assert.throws(() => full.pushMany(new Int32Array(1)), { code: 'ERR_SHMKIT_CLOSED' });
});

test('timeouts and aborts on push and pop', async () => {
  const r = new RingBuffer(Uint8Array, 2);
  let t = Date.now();
  assert.throws(() => r.pop({ timeout: 20 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  assert.ok(Date.now() - t >= 15);
  await rejectsWithCode(assert, () => r.popAsync({ timeout: 20 }), 'ERR_SHMKIT_TIMEOUT');
  r.tryPush(1);
  r.tryPush(2);
  assert.throws(() => r.push(3, { timeout: 10 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  const e = assert.throws(() => r.write(new Uint8Array(3), { timeout: 10 }), (err) => err.code === 'ERR_SHMKIT_TIMEOUT' && err.written === 0);
  void e;
  const ac = new AbortController();
  const p = r.pushAsync(3, { signal: ac.signal });
  ac.abort(new Error('no room'));
  await assert.rejects(p, /no room/);
  const reason = new Error('still no room');
  const ac2 = new AbortController();
  const w = r.writeAsync(new Uint8Array(2), { signal: ac2.signal });
  ac2.abort(reason);
  await assert.rejects(w, (err) => err === reason && !('written' in reason), 'the caller\'s reason is not modified');
  assert.equal(r.size, 2);
  assert.match(inspect(r), /size: 2, capacity: 2/);
});

test('a sleeping side sets bit 31 of the index it waits on; the exchange that moves it wakes the sleeper', async () => {
  const ring = new RingBuffer(Int32Array, 2);
  const words = new Int32Array(ring.buffer, ring.byteOffset, 64);
  const { consumers, producers } = waitersOf(ring);
  const ROUNDS = 40;
  // How many values the consumer has popped, stored after each pop.
  const popped = new Int32Array(new SharedArrayBuffer(4));
  // The consumer pops ROUNDS values, each time asleep before it is pushed.
  const consumer = spawn(({}, { ring, ROUNDS, popped }) => {
    for (let i = 0; i < ROUNDS; i++) {
      const v = ring.pop({ timeout: 10_000 });
      if (v !== i) throw new Error(`got ${v}, expected ${i}`);
      Atomics.store(popped, 0, i + 1);
    }
    return 'popped';
  }, { ring, ROUNDS, popped });
  // A woken sleeper is off the wait queue before the push that woke it
  // returns; one the push missed stays on it (until its next look, 20 ms on).
  // (A sleeper between two slices of its wait is off the queue with its bit
  // cleared, and the push then finds it awake.) A sleeper seen after the
  // push is a missed one only if value i is still not popped after it was
  // seen: a woken consumer may already have popped i and gone back to
  // sleep for i + 1 (it stores `popped` before it does).
  let missed = 0;
  for (let i = 0; i < ROUNDS; i++) {
    await waitFor(() => Atomics.load(words, TAIL) < 0, `the consumer to announce its sleep (round ${i})`);
    assert.equal(Atomics.load(words, TAIL) & 0x7fffffff, i, 'the bit leaves the position alone');
    assert.equal(ring.tryPush(i), true);
    if (consumers() !== 0 && Atomics.load(popped, 0) === i) missed++;
  }
  assert.equal(await consumer.result(30_000), 'popped');
  assert.equal(missed, 0, `${missed} of ${ROUNDS} pushes left the consumer asleep`);
  // The producer side: the same with the head word.
  ring.tryPush(1);
  ring.tryPush(2);
  const producer = spawn(({}, { ring }) => {
    ring.push(3, { timeout: 10_000 });
    return 'pushed';
  }, { ring });
  await waitFor(() => Atomics.load(words, HEAD) < 0, 'the producer to announce its sleep');
  assert.equal(ring.tryPop(), 1);
  assert.equal(producers(), 0, 'the pop woke the producer');
  assert.equal(await producer.result(10_000), 'pushed');
  assert.deepEqual([ring.tryPop(), ring.tryPop(), ring.tryPop()], [2, 3, undefined]);
});

test('positions wrap at 2^31', () => {
  const fresh = new RingBuffer(Float64Array, 8);
  const words = new Int32Array(fresh.buffer, fresh.byteOffset, 64);
  const [HEAD, TAIL] = [16, 32];
  Atomics.store(words, HEAD, 2 ** 31 - 3);
  Atomics.store(words, TAIL, 2 ** 31 - 3);
  const ring = RingBuffer.from({ buffer: fresh.buffer, byteOffset: fresh.byteOffset }); // reopened near 2^31
  assert.equal(ring.size, 0);
  assert.equal(ring.tryPop(), undefined);
  for (let i = 0; i < 8; i++) assert.equal(ring.tryPush(i + 0.5), true);
  assert.equal(ring.tryPush(9), false, 'full across the wrap');
  assert.equal(ring.size, 8);
  assert.equal(Atomics.load(words, TAIL), 5, 'the tail wrapped to 5, bit 31 clear');
  const out = new Float64Array(8);
  assert.equal(ring.popMany(out), 8);
  assert.deepEqual([...out], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
  assert.equal(ring.isEmpty, true);
  const w = ring.writeRegion(3);
  w.views[0].fill(7);
  w.commit();
  assert.equal(ring.peek(), 7);
  assert.equal(ring.size, 3);
});

test('an object that produced before, a whole number of laps ago, looks at the real head again', () => {
  const ring = new RingBuffer(Int32Array, 8);
  const later = RingBuffer.from({ buffer: ring.buffer, byteOffset: ring.byteOffset }); // another producer's object
  const words = new Int32Array(ring.buffer, ring.byteOffset, 64);
  const [HEAD, TAIL] = [16, 32];
  ring.tryPush(1);
  ring.tryPush(2); // this object: tail 2, and a head cache of 0
  assert.equal(later.tryPop(), 1);
  assert.equal(later.tryPush(3), true); // another object produces (and consumes) now
  // ... and moves the ring on by exactly 2^31 positions (here: plain stores),
  // leaving it full with the tail where this object last left it.
  Atomics.store(words, TAIL, 2);
  Atomics.store(words, HEAD, 2 ** 31 - 6);
  assert.equal(ring.size, 8);
  assert.equal(ring.tryPush(4), false, 'full: nothing unread is overwritten');
  assert.equal(ring.size, 8);
  // The consumer's side, likewise: empty, with the head where this object left it.
  Atomics.store(words, HEAD, 1);
  Atomics.store(words, TAIL, 1);
  assert.equal(ring.tryPop(), undefined, 'empty: no value from an earlier lap');
});

test('hostile writes to head, tail and state never crash or hang, never give a value that was not pushed, and touch no byte outside the ring', async () => {
  const length = RingBuffer.byteLengthFor(Float64Array, 16);
  const { object: ring, changed: guards } = insideGuards(length, (at) => new RingBuffer(Float64Array, 16, at));
  assert.equal(guards(), 0, 'the ring is made inside its own bytes');
  const stop = new Int32Array(new SharedArrayBuffer(8));
  const vandal = spawn(({}, { buffer, byteOffset, length, stop, HEAD, TAIL, STATE }) => {
    const w = new Int32Array(buffer, byteOffset, length / 4);
    const until = Date.now() + 30_000;
    let n = 0;
    Atomics.store(stop, 1, 1);
    while (Atomics.load(stop, 0) === 0) {
      // Now and then any value; mostly one near a position (the other
      // index's, give or take 2, sometimes with the waiting bit 31), so
      // that the ring's own checks pass and its operations go on over the
      // damage; the state's CLOSED bit set by a random value, cleared by a 0.
      const i = [HEAD, TAIL, STATE][n % 3];
      const r = (Math.random() * 64) | 0;
      let v;
      if (r === 0) v = (Math.random() * 2 ** 32) | 0;
      else if (i === STATE) v = r === 1 ? 0 : Atomics.load(w, STATE); // (else left as it is)
      else v = ((Atomics.load(w, r & 1 ? HEAD : TAIL) & 0x7fffffff) + (r % 5) - 2) | (r & 8 ? 1 << 31 : 0);
      Atomics.store(w, i, v);
      n++;
      if (n % 4096 === 0 && Date.now() > until) throw new Error('never told to stop');
    }
    return n;
  }, { buffer: ring.buffer, byteOffset: ring.byteOffset, length, stop, HEAD, TAIL, STATE });
  await waitFor(() => Atomics.load(stop, 1) !== 0, 'the vandal to start writing'); // the vandal is writing
  // The values pushed: BASE + i, and -7 (pushMany, writeRegion). Whatever
  // is read must be one of those, or 0 (a slot never written, which forged
  // positions can make a read reach); never a position, nothing else.
  const BASE = 1_000_000;
  const pushed = (v) => v === 0 || v === -7 || (Number.isInteger(v) && v >= BASE && v < BASE + 20_000);
  const odd = []; // the first few wrong answers
  const wrong = (what) => odd.length < 10 && odd.push(what);
  const read = (what, values, n = values.length) => {
    if (!(n >= 0 && n <= values.length)) wrong(`${what} gave ${n}`);
    for (let k = 0; k < n; k++) if (!pushed(values[k])) wrong(`${what} gave ${values[k]}`);
  };
  const allowed = new Set(['ERR_SHMKIT_CLOSED', 'ERR_SHMKIT_NOT_OWNER', 'ERR_SHMKIT_TIMEOUT']);
  const codes = {};
  const moved = { pushed: 0, popped: 0 };
  const attempt = (fn) => {
    try {
      fn();
    } catch (err) {
      if (!allowed.has(err.code)) throw err;
      codes[err.code] = (codes[err.code] ?? 0) + 1;
    }
  };
  const sevens = new Float64Array(5).fill(-7);
  const out = new Float64Array(7);
  try {
    for (let i = 0; i < 20_000; i++) {
      attempt(() => {
        if (ring.tryPush(BASE + i)) moved.pushed++;
      });
      attempt(() => {
        const v = ring.tryPop();
        if (v !== undefined) moved.popped++;
        if (v !== undefined) read('tryPop', [v]);
      });
      attempt(() => {
        const v = ring.peek();
        if (v !== undefined) read('peek', [v]);
      });
      attempt(() => {
        const n = ring.pushMany(sevens);
        if (!(n >= 0 && n <= 5)) wrong(`pushMany gave ${n}`);
      });
      attempt(() => read('popMany', out, ring.popMany(out)));
      attempt(() => {
        const r = ring.writeRegion(3);
        if (!(r.length >= 0 && r.length <= 3)) wrong(`writeRegion gave ${r.length}`);
        for (const view of r.views) view.fill(-7);
        r.commit(Math.min(1, r.length));
      });
      attempt(() => {
        const r = ring.readRegion(3);
        if (!(r.length >= 0 && r.length <= 3)) wrong(`readRegion gave ${r.length}`);
        for (const view of r.views) read('readRegion', view);
        r.commit(0);
      });
      attempt(() => {
        const n = ring.size;
        if (!Number.isInteger(n) || n < 0 || n > 16) wrong(`size ${n}`);
      });
      if (i % 1000 === 0) {
        // The blocking forms end, whatever the words say.
        attempt(() => {
          const v = ring.pop({ timeout: 1 });
          if (v !== undefined) read('pop', [v]);
        });
        attempt(() => ring.push(BASE + i, { timeout: 1 }));
      }
    }
  } finally {
    Atomics.store(stop, 0, 1);
  }
  assert.ok((await vandal.result()) > 0);
  assert.deepEqual(odd, [], 'answers a ring of these values cannot give');
  assert.ok(moved.pushed > 0 && moved.popped > 0, `values still moved over the damage (${JSON.stringify(moved)})`);
  assert.ok(codes.ERR_SHMKIT_CLOSED > 0, `the vandal's state words were seen (errors: ${JSON.stringify(codes)})`);
  assert.equal(guards(), 0, 'bytes around the ring were written');
});

test('objects in different threads never share a token, even with a process-wide --random-seed', async (t) => {
  // The whole-laps case above, with the other object in a worker, in a child
  // process whose V8 flags make every thread's Math.random() the same.
  const script = `
    const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads');
    const { RingBuffer } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const [HEAD, TAIL] = [16, 32];
    if (isMainThread) {
      const ring = new RingBuffer(Int32Array, 8);
      ring.tryPush(1);
      ring.tryPush(2);
      const words = new Int32Array(ring.buffer, ring.byteOffset, 64);
      const w = new Worker(__filename, { workerData: { buffer: ring.buffer, byteOffset: ring.byteOffset } });
      w.once('message', () => {
        Atomics.store(words, TAIL, 2);
        Atomics.store(words, HEAD, 2 ** 31 - 6);
        console.log(JSON.stringify({ size: ring.size, pushed: ring.tryPush(4) }));
        w.terminate();
      });
    } else {
      const later = RingBuffer.from(workerData);
      later.tryPop();
      later.tryPush(3);
      parentPort.postMessage(0);
    }
  `;
  const { execFile } = await import('node:child_process');
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/shmkit-seed-`);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = `${dir}/seed.cjs`;
  writeFileSync(file, script);
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--random-seed=7', file], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop()), { size: 8, pushed: false });
});

/** Up to `n` values popped from `r` as they come (polling, without blocking this thread), for at most `ms`. */
async function popUpTo(r, n, ms) {
  const got = [];
  const until = performance.now() + ms;
  while (got.length < n && performance.now() < until) {
    const v = r.tryPop();
    if (v === undefined) await sleep(1);
    else got.push(v);
  }
  return got;
}

test('RingBuffer and Queue: writeAsync whose values are transferred away while it waits rejects with ERR_INVALID_ARG_VALUE and written', async () => {
  for (const Ring of [RingBuffer, Queue]) {
    const r = new Ring(Int32Array, 2);
    const values = new Int32Array([1, 2, 3]);
    const pending = r.writeAsync(values, { timeout: 5_000 });
    await sleep(10);
    assert.equal(r.size, 2, `${Ring.name}: the first two are in`);
    structuredClone(values.buffer, { transfer: [values.buffer] }); // as a postMessage with a transfer list would
    assert.equal(r.tryPop(), 1);
    const err = await pending.then(() => undefined, (e) => e);
    assert.equal(err?.code, 'ERR_INVALID_ARG_VALUE', `${Ring.name}: ${err}`);
    assert.equal(err.written, 2);
    assert.match(err.message, /after 2 of its 3 values/);
    assert.deepEqual([r.tryPop(), r.tryPop()], [2, undefined], `${Ring.name}: what was written stays, and nothing else`);
    // The ring goes on.
    assert.equal(await r.writeAsync(new Int32Array([4, 5]), { timeout: 5_000 }), 2);
    assert.deepEqual([r.tryPop(), r.tryPop()], [4, 5]);
  }
});

test('RingBuffer and Queue: writeAsync of a length-tracking view whose buffer grows while it waits writes the values there at the call', async () => {
  for (const Ring of [RingBuffer, Queue]) {
    const r = new Ring(Int32Array, 2);
    const grows = new SharedArrayBuffer(12, { maxByteLength: 64 });
    const values = new Int32Array(grows); // no length: it tracks the buffer's
    values.set([1, 2, 3]);
    const pending = r.writeAsync(values, { timeout: 5_000 });
    await sleep(10);
    grows.grow(24);
    values.set([4, 5, 6], 3);
    const got = await popUpTo(r, 3, 5_000);
    assert.equal(await pending, 3, `${Ring.name}: resolves with the length at the call`);
    assert.deepEqual(got, [1, 2, 3]);
    assert.equal(r.tryPop(), undefined, `${Ring.name}: nothing past it`);
  }
});

test('RingBuffer and Queue: a blocking write of a length-tracking view whose buffer another thread grows while it waits writes the values there at the call', async () => {
  for (const Ring of [RingBuffer, Queue]) {
    const r = new Ring(Int32Array, 4);
    const grows = new SharedArrayBuffer(32, { maxByteLength: 256 });
    new Int32Array(grows).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const f = flags();
    const writer = spawn(({}, { r, grows, f }) => {
      Atomics.store(f, 0, 1);
      const n = r.write(new Int32Array(grows), { timeout: 10_000 }); // no length: it tracks the buffer's
      return { n, at: new Int32Array(grows).length };
    }, { r, grows, f });
    const { producers } = waitersOf(r);
    await waitFor(() => Atomics.load(f, 0) === 1 && r.size === 4 && producers() === 1, 'the writer to fill the ring and wait for room');
    grows.grow(128); // 32 values
    new Int32Array(grows).fill(-1, 8);
    const got = await popUpTo(r, 8, 10_000);
    const { n, at } = await writer.result();
    assert.equal(at, 32, `${Ring.name}: the writer saw the buffer grow`);
    assert.equal(n, 8, `${Ring.name}: returns the length at the call`);
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8]);
    await sleep(10);
    assert.equal(r.tryPop(), undefined, `${Ring.name}: nothing past it`);
  }
});

test('RingBuffer and Queue: readAsync whose target is transferred away while it waits rejects with ERR_INVALID_ARG_VALUE and reads nothing', async () => {
  for (const Ring of [RingBuffer, Queue]) {
    const r = new Ring(Int32Array, 8);
    const target = new Int32Array(4);
    const pending = r.readAsync(target, { timeout: 5_000 });
    const after = r.readAsync(new Int32Array(4), { timeout: 5_000 }); // the next turn
    structuredClone(target.buffer, { transfer: [target.buffer] });
    r.push(1);
    r.push(2);
    const err = await pending.then(() => undefined, (e) => e);
    assert.equal(err?.code, 'ERR_INVALID_ARG_VALUE', `${Ring.name}: ${err}`);
    assert.match(err.message, /detached or shrunk/);
    assert.equal(await after, 2, `${Ring.name}: the values wait for the next read`);
  }
});

test('RingBuffer and Queue batches: an own length accessor, arrays of another realm and Proxies', async () => {
  const vm = await import('node:vm');
  const lying = (values, length) => Object.defineProperty(values, 'length', { get: () => length });
  for (const Ring of [RingBuffer, Queue]) {
    const r = new Ring(Int32Array, 16);
    // The length is the array's own, whatever its accessor says: nothing read past its end, nothing lost.
    assert.equal(r.pushMany(lying(new Int32Array([1, 2, 3, 4]), 8)), 4, `${Ring.name}: pushMany`);
    assert.equal(r.write(lying(new Int32Array([5, 6]), 5), { timeout: 1000 }), 2, `${Ring.name}: write`);
    const small = lying(new Int32Array(4), 100);
    assert.equal(r.popMany(small), 4, `${Ring.name}: popMany`);
    assert.deepEqual([...Int32Array.from(new Int32Array(small.buffer))], [1, 2, 3, 4]);
    assert.equal(r.size, 2, `${Ring.name}: what did not fit stays`);
    assert.equal(r.read(lying(new Int32Array(1), 0), { timeout: 1000 }), 1, `${Ring.name}: read (not "closed and drained")`);
    assert.equal(await r.readAsync(lying(new Int32Array(1), 0), { timeout: 1000 }), 1, `${Ring.name}: readAsync`);
    // Another realm's typed arrays are typed arrays: by their kind.
    const other = vm.runInNewContext('({ ints: new Int32Array([7, 8]), bigs: new BigInt64Array(2), into: new Int32Array(2) })');
    assert.equal(r.pushMany(other.ints), 2);
    r.push(9);
    for (const wrong of [() => r.popMany(other.bigs), () => r.pushMany(other.bigs)]) {
      assert.throws(wrong, { code: 'ERR_INVALID_ARG_TYPE' }, `${Ring.name}: a BigInt64Array of another realm is one`);
    }
    assert.equal(r.size, 3, `${Ring.name}: nothing popped by the refused call`);
    assert.equal(r.popMany(other.into), 2);
    assert.deepEqual([...other.into], [7, 8]);
    const bigRing = new Ring(BigInt64Array, 4);
    assert.equal(bigRing.pushMany(vm.runInNewContext('new BigInt64Array([1n, 2n])')), 2);
    // A Proxy of a typed array is not one.
    const proxy = new Proxy(new Int32Array(2), {});
    for (const call of [() => r.pushMany(proxy), () => r.popMany(proxy), () => r.write(proxy), () => r.read(proxy)]) {
      assert.throws(call, { code: 'ERR_INVALID_ARG_TYPE', message: /a Proxy/ });
    }
    assert.equal(r.tryPop(), 9, `${Ring.name}: the last value is still there`);
  }
});

test('RingBuffer and Queue: writeAsync stopped by its signal rejects with the reason unmodified, and keeps what it wrote', async () => {
  for (const Ring of [RingBuffer, Queue]) {
    const r = new Ring(Int32Array, 2);
    const ac = new AbortController();
    const writes = [r.writeAsync(new Int32Array([1, 2, 3]), { signal: ac.signal }), r.writeAsync(new Int32Array([4]), { signal: ac.signal })];
    await sleep(20);
    ac.abort();
    const errs = await Promise.all(writes.map((w) => w.then(() => undefined, (e) => e)));
    assert.ok(errs.every((e) => e === ac.signal.reason && !('written' in e)), `${Ring.name}: the one reason, untouched`);
    assert.equal(r.size, 2, `${Ring.name}: what was written stays`);
    assert.deepEqual([r.tryPop(), r.tryPop()], [1, 2]);
  }
});

test('RingBuffer batches: no code of the caller\'s array (a subclass\'s species or set(), an own length accessor) runs between the index reads and the publish', () => {
  const r = new RingBuffer(Float64Array, 8);
  const pushed = [];
  const popped = [];
  let ran = 0; // what the caller's code did: a push and a pop on the same ring, which would move it under a copy
  const meddle = () => {
    ran++;
    if (r.tryPush(100 + ran)) pushed.push(100 + ran);
    const v = r.tryPop();
    if (v !== undefined) popped.push(v);
  };
  class Sneaky extends Float64Array {
    static get [Symbol.species]() {
      meddle();
      return Float64Array;
    }
    set(...args) {
      meddle();
      return super.set(...args);
    }
  }
  const push = (values, expected) => {
    const n = r.pushMany(values);
    assert.equal(n, expected);
    for (let i = 0; i < n; i++) pushed.push(Float64Array.prototype.at.call(values, i));
  };
  push(new Float64Array([1, 2, 3, 4, 5, 6]), 6);
  assert.equal(r.popMany(new Float64Array(6)), 6);
  popped.push(1, 2, 3, 4, 5, 6);
  push(Sneaky.from([7, 8, 9, 10]), 4); // positions 6..9: it wraps, so it is copied in two parts
  const withLength = new Float64Array([11, 12, 13]);
  Object.defineProperty(withLength, 'length', { get: () => (meddle(), 1) }); // not its real length
  push(withLength, 3);
  const target = new Sneaky(16);
  const n = r.popMany(target);
  for (let i = 0; i < n; i++) popped.push(target[i]);
  assert.equal(ran, 0, 'shmkit read the arrays through the intrinsics');
  assert.deepEqual(popped, pushed, 'every value once, in push order');
  assert.equal(r.size, 0);
});

// size read by a third thread while values stream through a nearly empty
// ring: it read the tail, then the head, and a push and a pop in between put
// the head past that tail, which read as a full ring (a review saw it about
// once in 7 million reads). Now the head is read before and after the tail.
test('RingBuffer.size from a third thread never reads a nearly empty ring as full', async () => {
  const r = new RingBuffer(Int32Array, 1 << 16);
  const f = flags();
  const producer = spawn(({}, { r, f }) => {
    const until = Date.now() + 30_000;
    const inTime = () => {
      if (Date.now() > until) throw new Error('never told to stop');
    };
    for (let i = 0; Atomics.load(f, 0) === 0; i++) {
      while (!r.tryPush(i)) {
        if (Atomics.load(f, 0) !== 0) return 'stopped';
        inTime();
      }
      if ((i & 63) === 0) while (r.size > 8 && Atomics.load(f, 0) === 0) inTime();
    }
    return 'stopped';
  }, { r, f });
  const consumer = spawn(({}, { r, f }) => {
    const until = Date.now() + 30_000;
    let n = 0;
    while (Atomics.load(f, 0) === 0) {
      if (r.tryPop() !== undefined) n++;
      else if (Date.now() > until) throw new Error('never told to stop');
    }
    return n;
  }, { r, f });
  let samples = 0;
  let largest = 0;
  const until = Date.now() + 1_500;
  try {
    while (Date.now() < until) {
      for (let i = 0; i < 20_000; i++) {
        const s = r.size;
        if (s > largest) largest = s;
      }
      samples += 20_000;
      await sleep(0);
    }
  } finally {
    Atomics.store(f, 0, 1);
  }
  const [stopped, popped] = await Promise.all([producer.result(), consumer.result()]);
  assert.equal(stopped, 'stopped');
  assert.ok(popped > 0, 'values moved');
  assert.ok(largest <= 80, `size read ${largest} in ${samples} reads; the ring never held more than about 72`);
});
