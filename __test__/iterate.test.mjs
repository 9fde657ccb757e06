// values() and messages(): iterables both ways over a ring or a channel, with
// per-wait options (a timeout per item, an AbortSignal for the async form).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Channel, Queue, RingBuffer } from '../index.js';
import { bounded, spawn } from './helpers.mjs';

test('Channel values(): a worker sends structured values and closes; for await gets every one, in order', async () => {
  const ch = new Channel({ byteCapacity: 4096 });
  const w = spawn((_, { ch }) => {
    for (let i = 0; i < 500; i++) ch.sendValue({ i, tag: `v${i}`, big: BigInt(i) * 3n });
    ch.close();
    return 'sent';
  }, { ch });
  const got = [];
  await bounded(
    (async () => {
      for await (const v of ch.values()) got.push(v);
    })(),
    20_000,
    'the values loop',
  );
  assert.equal(await w.result(), 'sent');
  assert.equal(got.length, 500);
  got.forEach((v, i) => assert.deepEqual(v, { i, tag: `v${i}`, big: BigInt(i) * 3n }));
});

test('RingBuffer values() blocking in a worker: every value, then a per-wait timeout ends the idle loop', async () => {
  const ring = new RingBuffer(Float64Array, 64);
  const w = spawn((_, { ring }) => {
    let n = 0;
    let sum = 0;
    try {
      for (const v of ring.values({ timeout: 300 })) {
        n++;
        sum += v;
      }
      return { n, sum, code: 'ended without an error' };
    } catch (err) {
      return { n, sum, code: err.code };
    }
  }, { ring });
  for (let i = 1; i <= 1000; i++) await ring.pushAsync(i, { timeout: 10_000 });
  const { n, sum, code } = await w.result();
  assert.equal(n, 1000);
  assert.equal(sum, 500_500);
  assert.equal(code, 'ERR_SHMKIT_TIMEOUT');
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
  for (let i = 0; i < 300; i++) await ch.sendAsync(new Uint8Array(i % 100), { timeout: 10_000 });
  ch.close();
  const lengths = await w.result();
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
  for (let i = 0; i < 2000; i++) await q.pushAsync(i, { timeout: 10_000 });
  q.close();
  const all = [...(await a.result()), ...(await b.result())].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 2000 }, (_, i) => i));
});

test('values() and messages() check their options when called', () => {
  const ring = new RingBuffer(Int32Array, 4);
  const ch = new Channel();
  for (const make of [(o) => ring.values(o), (o) => ch.messages(o), (o) => ch.values(o)]) {
    assert.throws(() => make(5), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => make({ timeout: -1 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => make({ timeout: 'soon' }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => make({ signal: {} }), { code: 'ERR_INVALID_ARG_TYPE' });
    make(null); // no options
  }
  // Nothing was taken by the checks.
  ring.push(7);
  assert.equal(ring.tryPop(), 7);
});
