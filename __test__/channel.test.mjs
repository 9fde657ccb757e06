import test from 'node:test';
import assert from 'node:assert/strict';
import { Channel } from '../index.mjs';
import { spawn, sleep, rejectsWithCode } from './helpers.mjs';

test('Channel: random-size messages from 2 senders to 2 receivers arrive intact, in order per sender', async () => {
  const PER_SENDER = 20_000;
  const ch = new Channel({ byteCapacity: 4096 });
  const senders = [1, 2].map((id) =>
    spawn(async ({}, { ch, id, PER_SENDER }) => {
      let seed = id * 7919;
      const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
      for (let seq = 0; seq < PER_SENDER; seq++) {
        // [sender id, seq (4 bytes), size] then a pattern the receiver re-derives.
        const size = seq % 1000 === 0 ? 4092 : 6 + Math.floor(rand() * rand() * 600);
        const m = new Uint8Array(size);
        const dv = new DataView(m.buffer);
        dv.setUint8(0, id);
        dv.setUint32(1, seq, true);
        for (let i = 5; i < size; i++) m[i] = (i * 31 + seq + id) & 0xff;
        if (seq % 3 === 0) await ch.sendAsync(m, { timeout: 10_000 });
        else ch.send(m, { timeout: 10_000 });
      }
      return 'sent';
    }, { ch, id, PER_SENDER }),
  );
  const receivers = [0, 1].map((k) =>
    spawn(async ({}, { ch, k }) => {
      const last = [0, -1, -1];
      let got = 0;
      const check = (m) => {
        const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
        const id = dv.getUint8(0);
        const seq = dv.getUint32(1, true);
        if (seq <= last[id]) throw new Error(`sender ${id}: seq ${seq} after ${last[id]}`);
        last[id] = seq;
        for (let i = 5; i < m.length; i++) if (m[i] !== ((i * 31 + seq + id) & 0xff)) throw new Error(`torn message ${id}/${seq}`);
        got++;
      };
      if (k === 0) for (const m of ch) check(m);
      else for await (const m of ch) check(m);
      return got;
    }, { ch, k }),
  );
  assert.deepEqual(await Promise.all(senders.map((s) => s.result(60_000))), ['sent', 'sent']);
  ch.close();
  const got = await Promise.all(receivers.map((r) => r.result(60_000)));
  assert.equal(got[0] + got[1], 2 * PER_SENDER);
  assert.equal(ch.byteSize, 0);
});

test('Channel: empty and capacity-sized messages, strings, values, limits', async () => {
  const ch = new Channel({ byteCapacity: 64 });
  assert.equal(ch.byteCapacity, 64);
  ch.send(new Uint8Array(0));
  assert.equal(ch.recv().length, 0);
  ch.send(new Uint8Array(60).fill(9));
  assert.equal(ch.trySend('x'), false, 'full');
  assert.deepEqual([...ch.recv()], new Array(60).fill(9));
  assert.throws(() => ch.send(new Uint8Array(61)), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  assert.throws(() => ch.send(42), { code: 'ERR_INVALID_ARG_TYPE' });
  ch.send('héllo');
  assert.equal(new TextDecoder().decode(ch.recv()), 'héllo');
  ch.sendValue({ n: 1, list: [1n, 'two'], when: new Date(0) });
  assert.deepEqual(ch.recvValue(), { n: 1, list: [1n, 'two'], when: new Date(0) });
  assert.equal(ch.tryRecvValue(), undefined);
  assert.throws(() => ch.recv({ timeout: 5 }), { code: 'ERR_SHMKIT_TIMEOUT' });
  await rejectsWithCode(assert, () => ch.recvAsync({ timeout: 5 }), 'ERR_SHMKIT_TIMEOUT');
  const ac = new AbortController();
  const p = ch.recvValueAsync({ signal: ac.signal });
  ac.abort(new Error('bye'));
  await assert.rejects(p, /bye/);
  assert.equal(await ch.recvAsync({ timeout: 0 }).catch((e) => e.code), 'ERR_SHMKIT_TIMEOUT');
});

test('Channel: close wakes blocked receivers and senders', async () => {
  const ch = new Channel({ byteCapacity: 64 });
  const receiver = spawn(({}, { ch }) => String(ch.recv({ timeout: 10_000 })), { ch });
  const asyncRecv = ch.recvAsync({ timeout: 10_000 });
  await sleep(30);
  ch.close();
  assert.equal(await receiver.result(), 'undefined');
  assert.equal(await asyncRecv, undefined);
  assert.throws(() => ch.send('late'), { code: 'ERR_SHMKIT_CLOSED' });
  const full = new Channel({ byteCapacity: 64 });
  full.send(new Uint8Array(60));
  const sender = spawn(({}, { full }) => {
    try {
      full.send('more', { timeout: 10_000 });
      return 'sent';
    } catch (err) {
      return err.code;
    }
  }, { full });
  await sleep(30);
  full.close();
  assert.equal(await sender.result(), 'ERR_SHMKIT_CLOSED');
  assert.equal(full.recv().length, 60, 'a closed channel drains');
  assert.equal(full.recv(), undefined);
});

test('Channel: a sender that dies holding the send lock does not break the channel', async () => {
  const ch = new Channel({ byteCapacity: 256 });
  const dying = spawn(({ Mutex }, { ch }) => {
    ch.send('before');
    // Take the internal send lock the way a sender dying mid-send would hold it.
    Mutex.from({ buffer: ch.buffer, byteOffset: ch.byteOffset + 200 }).lock();
    throw new Error('dies mid-send');
  }, { ch });
  await dying.exited();
  ch.send('after', { timeout: 1_000 });
  const dec = new TextDecoder();
  assert.equal(dec.decode(ch.recv()), 'before');
  assert.equal(dec.decode(ch.recv()), 'after');
});

test('Channel: a corrupted message length in shared memory is an error, not a crash', () => {
  const ch = new Channel({ byteCapacity: 128 });
  ch.send('abc');
  const words = new Int32Array(ch.buffer, ch.byteOffset);
  words[256 / 4] = 0x7fffffff; // the first message's length
  assert.throws(() => ch.recv(), { code: 'ERR_SHMKIT_BAD_LAYOUT' });
  words[256 / 4] = 3;
  assert.equal(new TextDecoder().decode(ch.recv()), 'abc');
  words[32] = 123_456; // a tail far past the head
  assert.equal(ch.tryRecv(), undefined);
});
