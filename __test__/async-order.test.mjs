// One object's async calls on one side (its pushes, its pops; a Channel's
// sends, its receives) are served in the order they were made, as
// postMessage keeps its order, however long they wait (lib/turns.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer, Queue, Channel } from '../index.mjs';
import { spawn, rejectsWithCode } from './helpers.mjs';

const N = 120;
const decode = (m) => Number(new TextDecoder().decode(m));

// Each kind: a small object, and how to put value i in and take one out.
const kinds = {
  RingBuffer: {
    make: () => ({ obj: new RingBuffer(Float64Array, 2) }),
    sendAsync: (obj, i) => obj.pushAsync(i, { timeout: 10_000 }),
    recvAsync: (obj) => obj.popAsync({ timeout: 10_000 }),
  },
  Queue: {
    make: () => ({ obj: new Queue(Float64Array, 2) }),
    sendAsync: (obj, i) => obj.pushAsync(i, { timeout: 10_000 }),
    recvAsync: (obj) => obj.popAsync({ timeout: 10_000 }),
  },
  Channel: {
    make: () => ({ obj: new Channel({ byteCapacity: 16 }) }), // two short messages fit
    sendAsync: (obj, i) => obj.sendAsync(String(i), { timeout: 10_000 }),
    recvAsync: (obj) => obj.recvAsync({ timeout: 10_000 }).then(decode),
  },
};

// The worker's side: takes (or puts) N values slowly, so that the main
// thread's calls wait through many of their sleep slices (a Channel call
// waiting for its side's lock, 10 ms; a ring's async wait, up to 50 ms).
function drainSlowly({}, { obj, kind, n }) {
  const got = [];
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) Atomics.wait(pause, 0, 0, 3);
    const v = kind === 'Channel' ? obj.recv({ timeout: 10_000 }) : obj.pop({ timeout: 10_000 });
    got.push(kind === 'Channel' ? Number(new TextDecoder().decode(v)) : v);
  }
  return got;
}

function fillSlowly({}, { obj, kind, n }) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) Atomics.wait(pause, 0, 0, 3);
    if (kind === 'Channel') obj.send(String(i), { timeout: 10_000 });
    else obj.push(i, { timeout: 10_000 });
  }
  return n;
}

for (const [kind, k] of Object.entries(kinds)) {
  test(`${kind}: ${N} async sends made at once from one thread reach a worker in call order`, async () => {
    const { obj } = k.make();
    const consumer = spawn(drainSlowly, { obj, kind, n: N });
    const sends = [];
    for (let i = 0; i < N; i++) sends.push(k.sendAsync(obj, i)); // (each with its own timeout)
    const [, got] = await Promise.all([Promise.all(sends), consumer.result()]);
    assert.deepEqual(got, Array.from({ length: N }, (_, i) => i));
  });

  test(`${kind}: ${N} async receives made at once in one thread settle in call order, each with the next value`, async () => {
    const { obj } = k.make();
    const producer = spawn(fillSlowly, { obj, kind, n: N });
    const order = [];
    const receives = [];
    for (let i = 0; i < N; i++) receives.push(k.recvAsync(obj).then((v) => (order.push(i), v)));
    const [got, produced] = await Promise.all([Promise.all(receives), producer.result()]);
    assert.equal(produced, N);
    assert.deepEqual(got, Array.from({ length: N }, (_, i) => i), 'call i got value i');
    assert.deepEqual(order, Array.from({ length: N }, (_, i) => i), 'and settled i-th');
  });
}

test('a call waiting for its turn keeps its own timeout (from the call) and signal; the calls after it go on', async () => {
  for (const kind of ['RingBuffer', 'Queue']) {
    const ring = kinds[kind].make().obj;
    const t0 = performance.now();
    // Timed from the call, the second times out about 1.1 s from now; timed
    // from its turn (when the first gives up, 1 s from now), 2.1 s from now.
    const first = ring.popAsync({ timeout: 1_000 }); // waits on the empty ring, then times out
    const second = ring.popAsync({ timeout: 1_100 }); // queued behind it
    const ac = new AbortController();
    const reason = new Error('stop');
    const third = ring.popAsync({ signal: ac.signal, timeout: 10_000 });
    ac.abort(reason);
    await assert.rejects(third, (err) => err === reason, `${kind}: an abort ends a queued call at once`);
    await rejectsWithCode(assert, () => first, 'ERR_SHMKIT_TIMEOUT');
    await rejectsWithCode(assert, () => second, 'ERR_SHMKIT_TIMEOUT');
    const took = performance.now() - t0;
    assert.ok(took >= 1_090 && took < 2_000, `${kind}: the queued call timed out ${took.toFixed(0)} ms after it was made`);
    const fourth = ring.popAsync({ timeout: 5_000 });
    ring.push(7);
    assert.equal(await fourth, 7, `${kind}: a call after failed ones is served`);
  }
  const ch = new Channel({ byteCapacity: 64 });
  const first = ch.recvAsync({ timeout: 2_000 });
  await rejectsWithCode(assert, () => ch.recvIntoAsync(new Uint8Array(8), { timeout: 30 }), 'ERR_SHMKIT_TIMEOUT');
  const into = new Uint8Array(8);
  const second = ch.recvIntoAsync(into, { timeout: 2_000 });
  ch.send('a');
  ch.send('bc');
  assert.equal(new TextDecoder().decode(await first), 'a', 'recvAsync and recvIntoAsync share one order');
  assert.equal(await second, 2);
  assert.equal(new TextDecoder().decode(into.subarray(0, 2)), 'bc');
});
