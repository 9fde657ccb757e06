import test from 'node:test';
import assert from 'node:assert/strict';
import { SlabPool, Block, Queue, Mutex } from '../index.mjs';
import native from '../lib/binding.js';
import { spawn, sleep, rejectsWithCode, flags, waitFor, bounded } from './helpers.mjs';

test('SlabPool: 4 workers pass blocks through a Queue, 100,000 hand-offs, each block owned by one thread at a time, an old Block refused after its hand-off', async () => {
  const HANDOFFS = 100_000;
  const slab = new SlabPool({ blockSize: 256, blocks: 16 });
  const ids = new Queue(Float64Array, 64);
  const counters = flags(4); // [0] hand-offs so far, [1] violations, [2] old Blocks that still worked
  const workers = [1, 2, 3, 4].map((me) =>
    spawn(({}, { slab, ids, counters, me, HANDOFFS, SPAN }) => {
      const words = (b) => new Int32Array(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength / 4);
      let opened = 0;
      let acquired = 0;
      let handedOff = 0;
      // Fills the whole block with our id, holds it a moment, and checks every
      // word: a second owner of any part of it (two threads given one block,
      // or blocks that overlap) would show here.
      const own = (b) => {
        const w = words(b);
        for (let i = 0; i < w.length; i++) Atomics.store(w, i, me);
        for (let pass = 0; pass < 3; pass++) {
          for (let i = 0; i < w.length; i++) {
            if (Atomics.load(w, i) !== me) {
              Atomics.add(counters, 1, 1);
              return;
            }
          }
        }
      };
      // A Block handed off is dead in this thread, whoever owns the block now.
      const refused = (b) => {
        if (b.owned) return false;
        try {
          b.bytes;
          return false;
        } catch (err) {
          return err.code === 'ERR_SHMKIT_NOT_OWNER';
        }
      };
      const deadline = Date.now() + 100_000;
      while (Atomics.load(counters, 0) < HANDOFFS) {
        if (Date.now() > deadline) throw new Error(`${Atomics.load(counters, 0)} hand-offs in 100 s`);
        let block;
        let id = ids.tryPop();
        if (id === undefined && me % 2 === 0) {
          try {
            id = ids.pop({ timeout: 1 });
          } catch (err) {
            if (err.code !== 'ERR_SHMKIT_TIMEOUT') throw err;
          }
        }
        if (id !== undefined) {
          block = slab.open(id);
          const w = words(block);
          // The sender wrote its own id for the block, which the hand-off's id
          // follows by one generation: the block is unchanged since.
          if (Atomics.load(w, 1) !== (id - SPAN) % 2 ** 31) Atomics.add(counters, 1, 1);
          opened++;
        } else {
          block = me === 3 ? slab.acquire({ timeout: 1000 }) : slab.tryAcquire();
          if (block === undefined) continue;
          acquired++;
        }
        own(block);
        if ((opened + acquired) % 3 === 0) {
          block.release();
        } else {
          const mine = block.id;
          Atomics.store(words(block), 1, mine % 2 ** 31);
          const id = block.handoff();
          if (id !== mine + SPAN || block.id !== id) Atomics.add(counters, 1, 1);
          ids.push(id, { timeout: 10_000 });
          Atomics.add(counters, 0, 1);
          handedOff++;
          // Looked at after the push, while another worker may have it open
          // (every 4th: a refusal builds an Error, which is slow).
          if (handedOff % 4 === 0 && !refused(block)) Atomics.add(counters, 2, 1);
        }
      }
      return { opened, acquired, handedOff };
    }, { slab, ids, counters, me, HANDOFFS, SPAN: native.SLAB_ID_SPAN }),
  );
  const results = await Promise.all(workers.map((w) => w.result(120_000)));
  assert.equal(Atomics.load(counters, 1), 0, 'no block was ever seen by two owners, or changed while handed off');
  assert.equal(Atomics.load(counters, 2), 0, 'every old Block checked was refused after its hand-off');
  assert.ok(results.every((r) => r.opened > 0), `every worker received blocks: ${JSON.stringify(results)}`);
  // The ids still in flight are opened and released here; then all are free.
  let inFlight = 0;
  for (let id = ids.tryPop(); id !== undefined; id = ids.tryPop(), inFlight++) slab.open(id).release();
  const sum = (k) => results.reduce((n, r) => n + r[k], 0);
  assert.equal(sum('handedOff'), Atomics.load(counters, 0));
  assert.equal(sum('opened') + inFlight, sum('handedOff'), 'every id handed off was opened once, or is still in the queue');
  assert.deepEqual(slab.stats, { blocks: 16, free: 16, inUse: 0, handedOff: 0, waiting: 0 });
  const all = [];
  for (let b = slab.tryAcquire(); b !== undefined; b = slab.tryAcquire()) all.push(b.index);
  assert.deepEqual(all.sort((a, b) => a - b), [...Array(16).keys()], 'each block is in the free list exactly once');
});

test('SlabPool: stale, forged, double-released and non-owner ids are refused and nothing changes', async () => {
  const slab = new SlabPool({ blockSize: 64, blocks: 4 });
  const a = slab.acquire();
  assert.ok(a instanceof Block);
  assert.equal(a.bytes.byteLength, 64);
  await rejectsWithCode(assert, () => slab.open(a.id), 'ERR_SHMKIT_NOT_OWNER'); // owned, not handed off
  const id = a.handoff();
  assert.equal(a.owned, false);
  await rejectsWithCode(assert, () => a.bytes, 'ERR_SHMKIT_NOT_OWNER');
  await rejectsWithCode(assert, () => a.handoff(), 'ERR_SHMKIT_NOT_OWNER');
  await rejectsWithCode(assert, () => a.release(), 'ERR_SHMKIT_NOT_OWNER');
  await rejectsWithCode(assert, () => slab.open(id + native.SLAB_ID_SPAN), 'ERR_SHMKIT_STALE_BLOCK'); // another generation
  await rejectsWithCode(assert, () => slab.open(id - a.index + 4), 'ERR_SHMKIT_STALE_BLOCK'); // index out of range
  for (const forged of [-1, 0.5, 2 ** 60, NaN]) await rejectsWithCode(assert, () => slab.open(forged), 'ERR_SHMKIT_STALE_BLOCK');
  await rejectsWithCode(assert, () => slab.open(String(id)), 'ERR_INVALID_ARG_TYPE');
  const b = slab.open(id);
  await rejectsWithCode(assert, () => slab.open(id), 'ERR_SHMKIT_NOT_OWNER'); // opened already
  b.release();
  await rejectsWithCode(assert, () => b.release(), 'ERR_SHMKIT_NOT_OWNER'); // double release
  await rejectsWithCode(assert, () => slab.open(id), 'ERR_SHMKIT_STALE_BLOCK'); // released
  // The block comes back with a new generation: the old id stays stale.
  const again = [slab.acquire(), slab.acquire(), slab.acquire(), slab.acquire()].find((x) => x.index === a.index);
  assert.notEqual(again.id, id);
  const id2 = again.handoff();
  await rejectsWithCode(assert, () => slab.open(id), 'ERR_SHMKIT_STALE_BLOCK');
  // Another thread cannot release a block it does not own (checked in the kernel itself).
  const w = spawn(({}, { slab, id2 }) => {
    const b = slab.open(id2);
    return b.index;
  }, { slab, id2 });
  const index = await w.result();
  assert.equal(index, a.index);
  const c = new Int32Array(slab.buffer, slab.byteOffset, 64 / 4 + 2 * 4);
  const gen = (id2 - index) / native.SLAB_ID_SPAN;
  // The free list: a Queue of capacity 4 at byte 128 (after the 96-byte control object, rounded up to 64).
  const list = new Int32Array(slab.buffer, slab.byteOffset + 128, Queue.byteLengthFor(Int32Array, 4) / 4);
  const listBefore = [...list];
  assert.equal(native.slabRelease(c, list, 4, index, gen), native.STATUS_NOT_OWNER, 'the worker owns it, not this thread');
  assert.deepEqual([...list], listBefore, 'a refused release pushes nothing');
  assert.equal(native.slabHandoff(c, index, gen), -native.STATUS_NOT_OWNER, 'a refusal, negated');
  assert.equal(slab.stats.inUse, 4);
  await rejectsWithCode(assert, () => new Block(), 'ERR_ILLEGAL_CONSTRUCTOR');
});

test('SlabPool: acquire blocks until a release in another thread, times out, and acquireAsync honours abort', async () => {
  const slab = new SlabPool({ blockSize: 8, blocks: 1 });
  const held = slab.acquire();
  // This thread owns the only block: a blocking wait would be for itself.
  await rejectsWithCode(assert, () => slab.acquire({ timeout: 20 }), 'ERR_SHMKIT_DEADLOCK');
  assert.equal(slab.tryAcquire(), undefined);
  await rejectsWithCode(assert, () => slab.acquireAsync({ timeout: 20 }), 'ERR_SHMKIT_TIMEOUT');
  const ac = new AbortController();
  const aborted = slab.acquireAsync({ signal: ac.signal });
  const reason = new Error('stop');
  ac.abort(reason);
  await assert.rejects(aborted, (err) => err === reason, 'rejects with the signal\'s reason');
  const w = spawn(({}, { slab }) => {
    const b = slab.acquire({ timeout: 10_000 });
    b.bytes[0] = 9;
    return { id: b.handoff(), index: b.index };
  }, { slab });
  const until = Date.now() + 10_000;
  while (slab.stats.waiting === 0) {
    assert.ok(Date.now() < until, 'the worker waits');
    await sleep(5);
  }
  held.release();
  const { id, index } = await w.result();
  assert.equal(index, 0, 'the worker got the block this thread released');
  const b = slab.open(id);
  assert.equal(b.bytes[0], 9, 'the same memory, written by the worker');
  const pending = slab.acquireAsync({ timeout: 10_000 });
  await sleep(5);
  assert.equal(slab.stats.waiting, 1);
  b.release();
  const c = await pending;
  assert.equal(c.index, 0);
  c[Symbol.dispose]();
  assert.deepEqual(slab.stats, { blocks: 1, free: 1, inUse: 0, handedOff: 0, waiting: 0 });
});

test('SlabPool: placement, byteLengthFor, from/attach, and bad inputs with codes', async () => {
  const need = SlabPool.byteLengthFor({ blockSize: 4096, blocks: 3 });
  assert.ok(need >= 3 * 4096);
  const buffer = new SharedArrayBuffer(need + 64);
  const slab = new SlabPool({ blockSize: 4096, blocks: 3 }, { buffer, byteOffset: 64 });
  assert.equal(slab.buffer, buffer);
  assert.equal(slab.blockSize, 4096);
  assert.equal(slab.blocks, 3);
  const b = slab.acquire();
  assert.equal(b.bytes.buffer, buffer);
  assert.ok(b.bytes.byteOffset + 4096 <= buffer.byteLength);
  const again = SlabPool.from({ buffer, byteOffset: 64 });
  assert.equal(again.stats.inUse, 1, 'the same pool, reopened');
  assert.equal(SlabPool.from(structuredClone(slab)).blocks, 3);
  await rejectsWithCode(assert, () => SlabPool.from(new Mutex()), 'ERR_SHMKIT_BAD_LAYOUT');
  await rejectsWithCode(assert, () => SlabPool.from({ buffer: new SharedArrayBuffer(256), byteOffset: 0 }), 'ERR_SHMKIT_BAD_LAYOUT');
  await rejectsWithCode(assert, () => SlabPool.from({ buffer, byteOffset: 72 }), 'ERR_SHMKIT_BAD_LAYOUT');
  await rejectsWithCode(assert, () => new SlabPool(), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 12, blocks: 2 }), 'ERR_INVALID_ARG_VALUE');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 4, blocks: 2 }), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 64, blocks: 0 }), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 64, blocks: 2 ** 23 }), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 64, blocks: 2 }, { buffer: new ArrayBuffer(4096) }), 'ERR_SHMKIT_NOT_SHARED');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 64, blocks: 2 }, { buffer: new SharedArrayBuffer(64) }), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => slab.acquire({ timeout: -1 }), 'ERR_OUT_OF_RANGE');
});

test('SlabPool: hostile writes to the bookkeeping give errors or wrong answers, never a crash', async () => {
  const slab = new SlabPool({ blockSize: 64, blocks: 8 });
  const stop = flags(1);
  const vandal = spawn(({}, { buffer, stop, end }) => {
    const w = new Int32Array(buffer, 0, end / 4);
    let x = 1;
    let n = 0;
    const deadline = Date.now() + 20_000;
    while (Atomics.load(stop, 0) === 0 && Date.now() < deadline) {
      x = (Math.imul(x, 1664525) + 1013904223) | 0;
      const i = 4 + ((x >>> 8) % (w.length - 4)); // leave the headers' first words
      Atomics.store(w, i, x);
      n++;
    }
    return n;
  }, { buffer: slab.buffer, stop, end: SlabPool.byteLengthFor({ blockSize: 64, blocks: 8 }) - 8 * 64 });
  const codes = new Set();
  const until = Date.now() + 400;
  let ops = 0;
  while (Date.now() < until) {
    try {
      const b = slab.tryAcquire() ?? slab.open(Math.floor(Math.random() * 2 ** 25));
      b.bytes[0] = 1;
      if (ops % 2) slab.open(b.handoff()).release();
      else b.release();
    } catch (err) {
      assert.ok(typeof err.code === 'string' && err.code.startsWith('ERR_'), `coded error: ${err.stack}`);
      codes.add(err.code);
    }
    ops++;
    if (ops % 100 === 0) await sleep(0);
  }
  Atomics.store(stop, 0, 1);
  assert.ok((await vandal.result()) > 0);
  assert.ok(ops > 100);
  assert.ok(codes.size > 0, 'the vandal was noticed');
});

test('SlabPool: a forged block count in the header changes answers, never the words touched', async () => {
  const slab = new SlabPool({ blockSize: 64, blocks: 2 });
  const header = new Int32Array(slab.buffer, slab.byteOffset, 4);
  const held = slab.acquire();
  // What a forged count could make the kernel reach: the bytes between the
  // control object (64 + 8 * 2 bytes) and the free list (at byte 128), and
  // the blocks' data. Nothing may write them; they carry a pattern.
  const all = new Uint8Array(slab.buffer, slab.byteOffset);
  const dataAt = all.length - 2 * 64;
  const outside = [...all.subarray(80, 128).keys()].map((i) => i + 80).concat([...all.subarray(dataAt).keys()].map((i) => i + dataAt));
  for (const i of outside) all[i] = 0xa5;
  await spawn(() => 0).result(); // a thread exit, so that reclaim() scans
  for (const forged of [2 ** 22, 2 ** 31 - 1, -1, 3]) {
    Atomics.store(header, 3, forged); // the control object's header parameter: its block count
    for (const [what, op] of [
      ['stats', () => slab.stats],
      ['reclaim', () => slab.reclaim()],
      ['open', () => slab.open(3)],
      ['tryAcquire', () => slab.tryAcquire()?.release()],
    ]) {
      try {
        op();
      } catch (err) {
        assert.match(String(err.code), /^ERR_/, `${what} with a block count of ${forged}: ${err.stack}`);
      }
      const touched = outside.filter((i) => all[i] !== 0xa5);
      assert.deepEqual(touched, [], `${what} with a block count of ${forged} wrote outside the pool's words`);
    }
  }
  Atomics.store(header, 3, 2);
  held.release();
  assert.equal(slab.stats.free, 2);
});

test('SlabPool: each hand-off has an id of its own, which opens it once', async () => {
  const slab = new SlabPool({ blockSize: 8, blocks: 1 });
  const first = slab.acquire().handoff();
  const b = slab.open(first);
  const second = b.handoff();
  assert.notEqual(second, first);
  await rejectsWithCode(assert, () => slab.open(first), 'ERR_SHMKIT_STALE_BLOCK'); // a late duplicate of the first
  slab.open(second).release();
  assert.equal(slab.stats.free, 1);
});

test('SlabPool: waiting counts parked acquires, and a terminated waiter leaves the count', async () => {
  const slab = new SlabPool({ blockSize: 8, blocks: 1 });
  const held = slab.acquire();
  const blocked = spawn(({}, { slab }, port) => {
    port.postMessage('waiting');
    slab.acquire({ timeout: 30_000 }); // far past the test: only termination ends this
  }, { slab });
  assert.equal(await blocked.next(), 'waiting');
  const until = Date.now() + 10_000;
  while (slab.stats.waiting !== 1) {
    assert.ok(Date.now() < until, `the worker parks (waiting ${slab.stats.waiting})`);
    await sleep(5);
  }
  await bounded(blocked.worker.terminate(), 10_000, 'terminating the waiter');
  while (slab.stats.waiting !== 0) {
    assert.ok(Date.now() < until, 'the terminated waiter leaves the count');
    await sleep(5);
  }
  held.release();
  assert.equal(slab.tryAcquire()?.index, 0, 'the block was not given to the dead waiter');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 2 ** 31, blocks: 1 }), 'ERR_OUT_OF_RANGE');
});

test('SlabPool: a release waits out a free list that looks full while another thread is paused mid-pop', async () => {
  const slab = new SlabPool({ blockSize: 64, blocks: 4 });
  // The free list: a Queue(Int32) of capacity 4 right after the control
  // object (64 + 8 * 4 bytes, rounded up to 128); head at word 16, stamps
  // from word 64, one lap = 8 positions.
  const queueAt = slab.byteOffset + 128;
  const q = new Int32Array(slab.buffer, queueAt, 64 + 4);
  const HEAD = 16;
  const a = slab.acquire(); // pops slot 0
  a.release(); // pushes into slot 0: the list is full again, its head at slot 1
  // Another thread claims slot 1 and is paused before it clears the slot:
  // the head moves on, the slot's stamp still says "full".
  const claimed = Atomics.load(q, HEAD);
  assert.equal(claimed & 7, 1);
  Atomics.store(q, HEAD, claimed + 1);
  const b = slab.acquire(); // pops slot 2
  // The next release pushes at slot 1. The paused popper resumes 150 ms
  // from now, in another thread, and clears the slot as a pop does.
  const finisher = spawn(({}, { buffer, queueAt, stamp }) => {
    const words = new Int32Array(buffer, queueAt, 64 + 4);
    const until = Date.now() + 150;
    while (Date.now() < until);
    Atomics.store(words, 64 + 1, stamp);
    return 'resumed';
  }, { buffer: slab.buffer, queueAt, stamp: claimed + 8 });
  b.release(); // waits; it used to throw "the free list is full (corrupted)"
  assert.equal(await finisher.result(10_000), 'resumed');
  assert.equal(slab.stats.inUse, 0);
  const again = [slab.tryAcquire(), slab.tryAcquire(), slab.tryAcquire()];
  assert.ok(again.every((blk) => blk instanceof Block), 'the released ids are in the list');
  assert.ok(again.some((blk) => blk.index === b.index), "b's id went back to the list");
  for (const blk of again) blk.release();
});

test('SlabPool: a worker terminated at any point of its acquires and releases loses no block', async () => {
  // A pop from the free list and the take of that block (or a free and its
  // push) are one native call: a thread stopped between two such steps in JS
  // used to leave a block free in its word and in nobody's free list.
  const BLOCKS = 4;
  for (let round = 0; round < 16; round++) {
    const slab = new SlabPool({ blockSize: 64, blocks: BLOCKS });
    const churn = spawn(({}, { slab }, port) => {
      port.postMessage('go');
      const held = [];
      const deadline = Date.now() + 10_000; // terminated long before
      for (let i = 0; Date.now() < deadline; i++) {
        const b = i % 2 ? slab.tryAcquire() : held.length < 2 ? slab.acquire({ timeout: 10_000 }) : undefined;
        if (b) held.push(b);
        if (held.length > 2 || (held.length && i % 3 === 0)) held.shift().release();
      }
    }, { slab });
    assert.equal(await churn.next(), 'go');
    await sleep(2 + (round % 8) * 2);
    await bounded(churn.worker.terminate(), 10_000, 'terminating the worker');
    slab.reclaim();
    assert.deepEqual(slab.stats, { blocks: BLOCKS, free: BLOCKS, inUse: 0, handedOff: 0, waiting: 0 }, `round ${round}`);
    const all = [];
    for (let i = 0; i < BLOCKS; i++) all.push(slab.acquire({ timeout: 1_000 }).index);
    assert.deepEqual(all.sort(), [0, 1, 2, 3], `round ${round}: every block can be acquired again`);
  }
});

test('SlabPool: blocks held by a thread that exits go back to the pool; a waiting acquire gets one', async () => {
  const slab = new SlabPool({ blockSize: 64, blocks: 3 });
  const mine = slab.acquire(); // held by a live thread throughout: never reclaimed
  // A worker takes the other two and is terminated holding them.
  const holder = spawn(({}, { slab }, port) => {
    const a = slab.acquire({ timeout: 5_000 });
    const b = slab.acquire({ timeout: 5_000 });
    a.bytes[0] = 1;
    b.bytes[0] = 2;
    port.postMessage('holding');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000); // until terminated
  }, { slab });
  assert.equal(await holder.next(), 'holding');
  assert.equal(slab.stats.inUse, 3);
  assert.equal(slab.tryAcquire(), undefined, 'all three in use by live threads');
  // Another worker waits for a block meanwhile.
  const waiter = spawn(({}, { slab }) => {
    const t0 = Date.now();
    const b = slab.acquire({ timeout: 10_000 });
    const got = { index: b.index, waited: Date.now() - t0 };
    b.release();
    return got;
  }, { slab });
  const until = Date.now() + 10_000;
  while (slab.stats.waiting === 0) {
    assert.ok(Date.now() < until, 'the waiter waits');
    await sleep(5);
  }
  await bounded(holder.worker.terminate(), 10_000, 'terminating the holder');
  const got = await waiter.result(15_000);
  assert.notEqual(got.index, mine.index, 'a block of the dead thread');
  assert.equal(slab.reclaim(), 0, 'the waiter reclaimed both already (one it used and gave back)');
  assert.deepEqual(slab.stats, { blocks: 3, free: 2, inUse: 1, handedOff: 0, waiting: 0 });
  mine.release(); // still this thread's, untouched by the reclaim
  assert.equal(slab.stats.free, 3);
  const all = [slab.tryAcquire(), slab.tryAcquire(), slab.tryAcquire()];
  assert.ok(all.every((b) => b instanceof Block));
  for (const b of all) b.release();
});

test('SlabPool: a blocking acquire by the thread that owns every block is ERR_SHMKIT_DEADLOCK, not a hang', async () => {
  const slab = new SlabPool({ blocks: 2, blockSize: 64 });
  const kept = slab.acquire();
  (() => slab.acquire())(); // dropped without release(): its block stays this thread's
  const t0 = performance.now();
  await rejectsWithCode(assert, () => slab.acquire({ timeout: 5_000 }), 'ERR_SHMKIT_DEADLOCK');
  await rejectsWithCode(assert, () => slab.acquire({ timeout: 5_000 }), 'ERR_SHMKIT_DEADLOCK');
  assert.ok(performance.now() - t0 < 1_000, 'at once');
  await rejectsWithCode(assert, () => slab.acquire({ timeout: 0 }), 'ERR_SHMKIT_DEADLOCK'); // whatever the timeout, as Mutex.lock
  assert.equal(slab.tryAcquire(), undefined);
  // An async acquire is no deadlock: this thread can still release meanwhile.
  const pending = slab.acquireAsync({ timeout: 5_000 });
  kept.release();
  (await pending).release();
  // A block handed off (to nobody yet) or owned by another thread is not this
  // thread's: acquire waits for it.
  const mine = slab.acquire(); // the one free block (the dropped one is still this thread's)
  const id = mine.handoff();
  await rejectsWithCode(assert, () => slab.acquire({ timeout: 30 }), 'ERR_SHMKIT_TIMEOUT'); // one is in transit
  const w = spawn(({}, { slab, id }) => {
    const b = slab.open(id);
    b.release();
    return 1;
  }, { slab, id });
  const got = slab.acquire({ timeout: 10_000 });
  assert.equal(await w.result(), 1);
  got.release();
});

test('SlabPool: sizes past what can be addressed or allocated, and signals without throwIfAborted', async () => {
  await rejectsWithCode(assert, () => SlabPool.byteLengthFor({ blockSize: 2 ** 31 - 8, blocks: 2 ** 22 }), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 2 ** 31 - 8, blocks: 2 ** 22 }), 'ERR_OUT_OF_RANGE');
  // 2^52 bytes: a safe integer, but more than any SharedArrayBuffer can be.
  await rejectsWithCode(assert, () => new SlabPool({ blockSize: 2 ** 31 - 8, blocks: 2 ** 21 }), 'ERR_MEMORY_ALLOCATION_FAILED');
  assert.equal(SlabPool.internals, undefined, 'the pool\'s internals are not public');
  const slab = new SlabPool({ blockSize: 8, blocks: 1 });
  const signal = { aborted: false, addEventListener() {}, removeEventListener() {} }; // what validation accepts
  const b = await slab.acquireAsync({ signal, timeout: 1_000 });
  b.release();
  await assert.rejects(slab.acquireAsync({ signal: { ...signal, aborted: true, reason: 'why' } }), (err) => err === 'why');
});
