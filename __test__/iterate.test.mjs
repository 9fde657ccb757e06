// values() and messages(): iterables both ways over a ring or a channel, with
// per-wait options (a timeout per item, an AbortSignal for the async form).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Channel, Queue, RingBuffer } from '../index.js';
import { bounded, spawn } from './helpers.mjs';

test('Channel values(): a worker sends structured values and closes; for await gets every one, in order', async () => {
  const ch = new Channel({ byteCapacity: 4096 });
  const w = spawn((_, { ch }) => {
    for (let i = 0; i < 500; i++) ch.sendValue({ i, tag: `v${i}`, big: BigInt(i) * 3n }, { timeout: 10_000 });
    ch.close();
    return 'sent';
  }, { ch });
  const got = [];
  const loop = (async () => {
    for await (const v of ch.values({ timeout: 10_000 })) got.push(v);
  })();
  const [, sent] = await Promise.all([bounded(loop, 20_000, 'the values loop'), w.result()]);
  assert.equal(sent, 'sent');
  assert.equal(got.length, 500);
  got.forEach((v, i) => assert.deepEqual(v, { i, tag: `v${i}`, big: BigInt(i) * 3n }));
});

test('RingBuffer values() blocking in a worker: the timeout is per wait (the loop outlives it), and ends the idle loop', async () => {
  const TIMEOUT = 600;
  const ring = new RingBuffer(Float64Array, 64);
  const w = spawn((_, { ring, TIMEOUT }) => {
    let n = 0;
    let sum = 0;
    let last = 0; // when the last value came
    const t0 = performance.now();
    try {
      for (const v of ring.values({ timeout: TIMEOUT })) {
        n++;
        sum += v;
        last = performance.now() - t0;
      }
      return { n, sum, code: 'ended without an error' };
    } catch (err) {
      return { n, sum, code: err.code, last, ms: performance.now() - t0 };
    }
  }, { ring, TIMEOUT });
  // Nine bursts 100 ms apart: values still come 800 ms on, past a timeout of
  // 600 ms for the whole loop, while each wait (about 100 ms) leaves 500 ms
  // for a slow timer or thread on a busy machine. A loop that ends early
  // stops the bursts at once, not a full ring's timeout later.
  const ended = new AbortController();
  const result = w.result().finally(() => ended.abort(new Error('the worker\'s loop ended before the last burst')));
  const bursts = (async () => {
    for (let burst = 0; burst < 9; burst++) {
      if (burst > 0) await new Promise((r) => setTimeout(r, 100));
      for (let i = 1; i <= 100; i++) await ring.pushAsync(burst * 100 + i, { timeout: 10_000, signal: ended.signal });
    }
  })();
  const [{ n, sum, code, last, ms }] = await Promise.all([result, bursts]);
  assert.equal(n, 900);
  assert.equal(sum, 405_450);
  assert.equal(code, 'ERR_SHMKIT_TIMEOUT');
  assert.ok(last > TIMEOUT, `the last value came ${last.toFixed(0)} ms into the loop, within one timeout`);
  assert.ok(ms - last >= TIMEOUT - 1, `the idle loop ended ${(ms - last).toFixed(0)} ms after the last value`);
});

test('for await over RingBuffer and Queue values(), with a per-wait timeout', async () => {
  const ring = new RingBuffer(Int32Array, 8);
  const w = spawn((_, { ring }) => {
    for (let i = 0; i < 100; i++) ring.push(i, { timeout: 10_000 });
    ring.close();
    return 'done';
  }, { ring });
  const got = [];
  const loop = (async () => {
    for await (const v of ring.values({ timeout: 10_000 })) got.push(v);
  })();
  const [, done] = await Promise.all([loop, w.result()]);
  assert.equal(done, 'done');
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i));
  const q = new Queue(BigInt64Array, 4);
  q.push(5n);
  const seen = [];
  await assert.rejects(
    (async () => {
      for await (const v of q.values({ timeout: 30 })) seen.push(v);
    })(),
    { code: 'ERR_SHMKIT_TIMEOUT' },
  );
  assert.deepEqual(seen, [5n]);
});

test('Channel values() yields a sent undefined like any value: only the end of the channel ends the loop', async () => {
  const ch = new Channel({ byteCapacity: 256 });
  for (const v of [1, undefined, 3]) ch.sendValue(v);
  ch.close();
  const got = [];
  for await (const v of ch.values({ timeout: 10_000 })) got.push(v);
  assert.deepEqual(got, [1, undefined, 3]);
  assert.equal(ch.byteSize, 0);
  // Not closed: the blocking loop through a receiver yields it too, then times out.
  const open = new Channel({ byteCapacity: 256 });
  open.sendValue({ job: 1 });
  open.sendValue(undefined);
  const rx = open.receiver();
  const sync = [];
  assert.throws(() => {
    for (const v of rx.values({ timeout: 30 })) sync.push(v);
  }, { code: 'ERR_SHMKIT_TIMEOUT' });
  rx.release();
  assert.deepEqual(sync, [{ job: 1 }, undefined]);
  // Bytes that are not a serialized value end the loop with a code; they are
  // taken, and the error carries them.
  open.send(new Uint8Array([0xff, 0xff, 0xff]));
  assert.throws(() => [...open.values({ timeout: 50 })], (err) => err.code === 'ERR_SHMKIT_BAD_VALUE' && err.bytes.join() === '255,255,255');
  assert.equal(open.byteSize, 0);
  open.send(new Uint8Array([0xff]));
  open.sendValue('next');
  await assert.rejects(
    (async () => {
      for await (const v of open.values({ timeout: 50 })) void v;
    })(),
    (err) => err.code === 'ERR_SHMKIT_BAD_VALUE' && err.bytes.join() === '255',
  );
  assert.equal(await open.recvValueAsync({ timeout: 50 }), 'next'); // the receive lock was let go
});

test('a ChannelReceiver\'s messages() in a worker ends at close, blocking form', async () => {
  const ch = new Channel({ byteCapacity: 256 });
  const w = spawn((_, { ch }) => {
    const rx = ch.receiver({ timeout: 10_000 });
    const lengths = [];
    for (const m of rx.messages({ timeout: 10_000 })) lengths.push(m.length);
    rx.release();
    return lengths;
  }, { ch });
  const sending = (async () => {
    for (let i = 0; i < 300; i++) await ch.sendAsync(new Uint8Array(i % 100), { timeout: 10_000 });
    ch.close();
  })();
  const [, lengths] = await Promise.all([sending, w.result()]);
  assert.deepEqual(lengths, Array.from({ length: 300 }, (_, i) => i % 100));
});

test('an AbortSignal ends a for await loop over messages() with its reason; the channel still works after', async () => {
  const ch = new Channel({ byteCapacity: 256 });
  const ac = new AbortController();
  const reason = new Error('stop listening');
  setTimeout(() => ac.abort(reason), 30);
  let seen = 0;
  await assert.rejects(
    bounded(
      (async () => {
        for await (const m of ch.messages({ signal: ac.signal })) seen += m.length;
      })(),
      10_000,
      'the aborted loop',
    ),
    (err) => err === reason,
  );
  assert.equal(seen, 0);
  ch.send('after'); // the aborted receive let go of the receive lock
  assert.equal(new TextDecoder().decode(ch.tryRecv()), 'after');
  // An already aborted signal throws before taking anything.
  ch.send('kept');
  await assert.rejects(ch.values({ signal: ac.signal })[Symbol.asyncIterator]().next(), (err) => err === reason);
  assert.equal(new TextDecoder().decode(ch.tryRecv()), 'kept');
});

test('Queue values() across two consumer workers: each value once', async () => {
  const q = new Queue(Int32Array, 32);
  const consumer = (_, { q }) => {
    const got = [];
    for (const v of q.values({ timeout: 10_000 })) got.push(v);
    return got;
  };
  const a = spawn(consumer, { q });
  const b = spawn(consumer, { q });
  const pushing = (async () => {
    for (let i = 0; i < 2000; i++) await q.pushAsync(i, { timeout: 10_000 });
    q.close();
  })();
  const [, fromA, fromB] = await Promise.all([pushing, a.result(), b.result()]);
  const all = [...fromA, ...fromB].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 2000 }, (_, i) => i));
});

test('a ChannelReceiver\'s async messages(): an abort ends the loop, and its later calls keep their order', async () => {
  const ch = new Channel({ byteCapacity: 256 });
  const rx = ch.receiver();
  const ac = new AbortController();
  const got = [];
  const loop = (async () => {
    for await (const m of rx.messages({ signal: ac.signal })) {
      got.push(m[0]);
      if (got.length === 2) setTimeout(() => ac.abort(), 20);
    }
  })();
  ch.send(new Uint8Array([1]));
  ch.send(new Uint8Array([2]));
  await assert.rejects(bounded(loop, 10_000, 'the loop'), { name: 'AbortError' });
  assert.deepEqual(got, [1, 2]);
  const later = [rx.recvAsync({ timeout: 10_000 }), rx.recvAsync({ timeout: 10_000 })];
  ch.send(new Uint8Array([3]));
  ch.send(new Uint8Array([4]));
  assert.deepEqual((await Promise.all(later)).map((m) => m[0]), [3, 4]);
  // A blocking loop looks at the signal before each item.
  ch.send(new Uint8Array([5]));
  assert.throws(() => [...rx.messages({ signal: ac.signal, timeout: 50 })], { name: 'AbortError' });
  assert.equal(rx.tryRecv()[0], 5);
  rx.release();
});

test('values() and messages() check their options when called, and take nothing', () => {
  const ring = new RingBuffer(Int32Array, 4);
  const ch = new Channel();
  ring.push(7);
  ch.send('kept');
  const other = new Channel();
  other.send('also kept');
  const rx = other.receiver();
  const makers = [(o) => ring.values(o), (o) => ch.messages(o), (o) => ch.values(o), (o) => rx.messages(o), (o) => rx.values(o)];
  for (const make of makers) {
    assert.throws(() => make(5), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => make({ timeout: -1 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => make({ timeout: 'soon' }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => make({ signal: {} }), { code: 'ERR_INVALID_ARG_TYPE' });
    make(null); // no options: made, not started
  }
  assert.equal(ring.tryPop(), 7);
  assert.equal(new TextDecoder().decode(ch.tryRecv()), 'kept');
  assert.equal(new TextDecoder().decode(rx.tryRecv()), 'also kept');
  rx.release();
});
