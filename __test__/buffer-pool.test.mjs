import test from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { BufferPool } from '../index.mjs';
import { spawn, sleep, rejectsWithCode, runNode } from './helpers.mjs';

// `gc()` for the leak tests: what --expose-gc gives, without restarting node.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Collects garbage until `done()` holds (finalizers run after a GC, on a later tick); bounded. */
async function collectUntil(done, ms = 5_000) {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) return false;
    gc();
    await sleep(10);
  }
  return true;
}

test('BufferPool: acquire gives exactly byteLength; release recycles the memory and detaches the handle', () => {
  const pool = new BufferPool();
  const a = pool.acquire(1000);
  assert.ok(a instanceof ArrayBuffer);
  assert.equal(a.byteLength, 1000);
  assert.equal(a.resizable, false);
  new Uint8Array(a).fill(7);
  pool.release(a);
  assert.equal(a.byteLength, 0, 'the released handle is detached');
  assert.throws(() => new Uint8Array(a), TypeError, 'a view of a released buffer cannot be made');
  const b = pool.acquire(1000);
  assert.equal(b.byteLength, 1000);
  assert.equal(new Uint8Array(b)[999], 7, 'the same memory came back (contents unspecified, here the old ones)');
  pool.release(b);
  const c = pool.acquire(1000, { zero: true });
  assert.ok(new Uint8Array(c).every((x) => x === 0), '{ zero: true } clears a recycled buffer');
  const d = pool.acquire(1001);
  assert.equal(d.byteLength, 1001, 'another length is another size class');
  assert.deepEqual(pool.stats, { acquired: 4, released: 2, hits: 2, misses: 2, retainedBytes: 0, outstanding: 2, leaked: 0 });
  pool.release(c);
  pool.release(d);
  assert.equal(pool.stats.retainedBytes, 2001);
  assert.equal(pool.stats.outstanding, 0);
});

test('BufferPool: use after release fails loudly; a second release is a clear error that changes nothing', async () => {
  const pool = new BufferPool();
  const a = pool.acquire(64);
  const view = new Float64Array(a);
  pool.release(a);
  assert.equal(view.length, 0, 'views of the released buffer see nothing');
  assert.equal(view[0], undefined);
  const before = pool.stats;
  await rejectsWithCode(assert, () => pool.release(a), 'ERR_INVALID_ARG_VALUE');
  assert.deepEqual(pool.stats, before);
  assert.equal(pool.acquire(64).byteLength, 64, 'the pool still works');
});

test('BufferPool: bad inputs get codes', async () => {
  const pool = new BufferPool();
  for (const n of [0, -1, 1.5, NaN, 2 ** 53]) await rejectsWithCode(assert, () => pool.acquire(n), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => pool.acquire('8'), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => pool.acquire(8, { zero: 1 }), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => pool.acquire(8, 5), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => new BufferPool({ maxRetainedBytes: -1 }), 'ERR_OUT_OF_RANGE');
  await rejectsWithCode(assert, () => new BufferPool({ maxRetainedBytes: '1' }), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => pool.release(new SharedArrayBuffer(8)), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => pool.release(new Uint8Array(8)), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => pool.release({ byteLength: 8 }), 'ERR_INVALID_ARG_TYPE');
  await rejectsWithCode(assert, () => pool.release(undefined), 'ERR_INVALID_ARG_TYPE');
  const resizable = new ArrayBuffer(8, { maxByteLength: 16 });
  await rejectsWithCode(assert, () => pool.release(resizable), 'ERR_INVALID_ARG_VALUE');
  assert.equal(resizable.byteLength, 8, 'a refused buffer is left as it was');
  await rejectsWithCode(assert, () => pool.release(new ArrayBuffer(0)), 'ERR_INVALID_ARG_VALUE');
  assert.deepEqual(pool.stats, { acquired: 0, released: 0, hits: 0, misses: 0, retainedBytes: 0, outstanding: 0, leaked: 0 });
});

test('BufferPool: maxRetainedBytes is never exceeded; the least recently released go first; trim drops all', () => {
  const pool = new BufferPool({ maxRetainedBytes: 10_000 });
  assert.equal(pool.maxRetainedBytes, 10_000);
  const bufs = [4000, 4000, 1000].map((n) => pool.acquire(n));
  for (const b of bufs) pool.release(b);
  assert.equal(pool.stats.retainedBytes, 9000);
  pool.release(new ArrayBuffer(6000)); // a foreign buffer is adopted: 15000 would be too much
  assert.ok(pool.stats.retainedBytes <= 10_000);
  // The two oldest (4000, 4000) made room, in that order, then stop: 1000 + 6000 fit.
  assert.equal(pool.stats.retainedBytes, 7000);
  assert.equal(pool.acquire(1000).byteLength, 1000);
  assert.equal(pool.stats.hits, 1);
  assert.equal(pool.acquire(4000).byteLength, 4000);
  assert.equal(pool.stats.misses, 4, 'the evicted 4000-byte buffers are gone');
  const big = pool.acquire(20_000);
  pool.release(big); // larger than the limit: detached, not kept
  assert.equal(big.byteLength, 0);
  assert.equal(pool.stats.retainedBytes, 6000);
  pool.trim();
  assert.equal(pool.stats.retainedBytes, 0);
  assert.equal(pool.acquire(6000).byteLength, 6000);
  assert.equal(pool.stats.hits, 1, 'nothing left to hit after trim');
  const none = new BufferPool({ maxRetainedBytes: 0 });
  const x = none.acquire(8);
  none.release(x);
  assert.equal(x.byteLength, 0);
  assert.equal(none.stats.retainedBytes, 0);
});

test('BufferPool: many sizes churned at random stay within the limit and account for every buffer', () => {
  const LIMIT = 1 << 20;
  const pool = new BufferPool({ maxRetainedBytes: LIMIT });
  const live = [];
  let seed = 12345;
  const rand = (n) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (let i = 0; i < 5000; i++) {
    if (live.length && rand(2)) pool.release(live.splice(rand(live.length), 1)[0]);
    else live.push(pool.acquire(1 + rand(8) * 4096 + rand(3)));
    assert.ok(pool.stats.retainedBytes <= LIMIT);
  }
  const s = pool.stats;
  assert.equal(s.acquired, s.hits + s.misses);
  assert.equal(s.outstanding, live.length);
  assert.equal(s.acquired - s.released, live.length);
  assert.ok(s.hits > 1000, `recycled buffers were used (${s.hits} hits)`);
});

test('BufferPool: a transferred pooled buffer is detached in the sender, intact in the receiver, and can be released there', async () => {
  const pool = new BufferPool();
  const ab = pool.acquire(1 << 20);
  const bytes = new Uint8Array(ab);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >> 12) & 0xff;
  const w = spawn(async ({ BufferPool }, {}, port) => {
    const pool = new BufferPool();
    const ab = await new Promise((r) => port.once('message', r));
    const bytes = new Uint8Array(ab);
    let ok = ab.byteLength === 1 << 20;
    for (let i = 0; i < bytes.length; i += 4096) ok &&= bytes[i] === ((i >> 12) & 0xff);
    pool.release(ab);
    return { ok, detached: ab.byteLength === 0, retained: pool.stats.retainedBytes, outstanding: pool.stats.outstanding };
  });
  w.worker.postMessage(ab, [ab]);
  assert.equal(ab.byteLength, 0, 'the sender\'s handle is detached by the transfer');
  assert.equal(pool.stats.outstanding, 1);
  assert.deepEqual(await w.result(), { ok: true, detached: true, retained: 1 << 20, outstanding: 0 });
  assert.equal(pool.stats.outstanding, 0, 'the release in the worker closed the loan made here');
  assert.equal(pool.stats.leaked, 0);
});

test('BufferPool: a worker-pool round trip (acquire, transfer, transfer back, release) recycles without counting leaks', async () => {
  const pool = new BufferPool();
  const w = spawn(async ({}, {}, port) => {
    for (;;) {
      const ab = await new Promise((r) => port.once('message', r));
      if (ab === null) return; // exits without a result message
      new Float64Array(ab)[0] += 1;
      port.postMessage(ab, [ab]);
    }
  });
  const replies = [];
  w.worker.on('message', (m) => m instanceof ArrayBuffer && replies.push(m));
  for (let round = 0; round < 50; round++) {
    const ab = pool.acquire(64 * 1024);
    new Float64Array(ab)[0] = round;
    w.worker.postMessage(ab, [ab]);
    // Now and then collect while the buffer is away: the sender's detached
    // handle goes, and the loan must survive that until the buffer is back.
    if (round % 10 === 5) await collectUntil(() => false, 30);
    const until = Date.now() + 10_000;
    while (replies.length === 0) {
      assert.ok(Date.now() < until, 'the worker answers');
      await sleep(1);
    }
    const back = replies.shift();
    assert.equal(new Float64Array(back)[0], round + 1);
    pool.release(back);
  }
  w.worker.postMessage(null);
  assert.deepEqual(await w.exited(), { code: 0, error: null });
  await collectUntil(() => false, 200); // collect every detached shell
  const s = pool.stats;
  assert.equal(s.acquired, 50);
  assert.equal(s.hits, 49, 'every round after the first reused the buffer that came back');
  assert.equal(s.outstanding, 0);
  assert.equal(s.leaked, 0, 'transferred-and-returned buffers are not leaks');
});

test('BufferPool: buffers acquired and dropped without release are counted as leaked after GC', async () => {
  const pool = new BufferPool();
  (() => {
    for (let i = 0; i < 5; i++) new Uint8Array(pool.acquire(4096)).fill(1);
  })();
  const kept = pool.acquire(4096);
  assert.equal(pool.stats.outstanding, 6);
  assert.ok(await collectUntil(() => pool.stats.leaked === 5), `5 leaks counted (stats: ${JSON.stringify(pool.stats)})`);
  assert.equal(pool.stats.outstanding, 1);
  pool.release(kept);
  assert.equal(pool.stats.outstanding, 0);
  assert.equal(pool.stats.leaked, 5);
});

test('BufferPool: released in any order, within the job or later, a buffer is no leak; every dropped one is, once', async () => {
  const pool = new BufferPool();
  const later = [];
  (() => {
    // 100 buffers, more than the pool keeps out of its registry at once: the
    // odd ones released now in a shuffled order, every fourth one later, the
    // rest dropped.
    const abs = Array.from({ length: 100 }, () => pool.acquire(4096));
    const odd = abs.filter((_, i) => i % 2 === 1);
    for (let i = odd.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [odd[i], odd[j]] = [odd[j], odd[i]];
    }
    for (const ab of odd) pool.release(ab);
    for (let i = 0; i < 100; i += 4) later.push(abs[i]);
  })();
  assert.equal(pool.stats.outstanding, 50);
  await sleep(1); // a later job
  for (const ab of later) pool.release(ab);
  assert.equal(pool.stats.outstanding, 25);
  assert.ok(await collectUntil(() => pool.stats.leaked === 25), `25 leaks counted (stats: ${JSON.stringify(pool.stats)})`);
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(10);
  }
  assert.deepEqual([pool.stats.leaked, pool.stats.outstanding, pool.stats.released], [25, 0, 75], 'no release counted as a leak');
});

test('BufferPool: a buffer dropped in a job that never ends is still counted, after a few dozen more acquires', async () => {
  const pool = new BufferPool();
  (() => {
    new Uint8Array(pool.acquire(4096)).fill(1); // dropped
    for (let i = 0; i < 40; i++) pool.release(pool.acquire(4096));
    gc(); // in the same job: nothing may still hold the dropped one
  })();
  // No more gc() from here: only the one above can have collected it.
  const until = Date.now() + 5_000;
  while (pool.stats.leaked !== 1 && Date.now() < until) await sleep(10);
  assert.deepEqual([pool.stats.leaked, pool.stats.outstanding], [1, 0]);
});

test('BufferPool: a buffer transferred away whose sender handle is collected counts as leaked until it comes back', async () => {
  const pool = new BufferPool();
  const w = spawn(async ({}, {}, port) => {
    const ab = await new Promise((r) => port.once('message', r));
    await new Promise((r) => port.once('message', r)); // hold it until told
    port.postMessage(ab, [ab]);
  });
  (() => {
    const ab = pool.acquire(8192);
    w.worker.postMessage(ab, [ab]);
  })();
  assert.ok(await collectUntil(() => pool.stats.leaked === 1), 'the collected sender handle counts');
  w.worker.postMessage('go');
  pool.release(await w.next());
  assert.deepEqual([pool.stats.leaked, pool.stats.outstanding], [0, 0], 'its return takes it off leaked');
  await w.exited();
});

test('BufferPool: a buffer the runtime will not detach is refused and left as it was', async () => {
  const pool = new BufferPool();
  const small = Buffer.from('password=hunter2'); // lives in Node's shared, untransferable pool
  const ab = small.buffer;
  const before = ab.byteLength;
  await rejectsWithCode(assert, () => pool.release(ab), 'ERR_INVALID_ARG_VALUE');
  assert.equal(ab.byteLength, before);
  assert.equal(small.toString(), 'password=hunter2');
  assert.equal(pool.stats.retainedBytes, 0, 'nothing of it is kept for another user');
});

test('BufferPool: where transfer() exists, a buffer Node marks untransferable is still refused', async () => {
  // A child Node with ArrayBuffer.prototype.transfer (the V8 flag on Node 20;
  // the default from Node 21). On Node 20 to 23 transfer() itself ignores
  // Node's untransferable mark, so the pool must ask isMarkedAsUntransferable
  // (Node >= 21) first; on Node 20 the child stands one in that knows the
  // small-Buffer pool. (From Node 24 V8 refuses to detach that pool anyway,
  // so there this checks the refusal, not the pool's own question.)
  const script = `
    const wt = require('node:worker_threads');
    const small = Buffer.from('password=hunter2');
    wt.isMarkedAsUntransferable ??= (ab) => ab === small.buffer;
    const { BufferPool } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const pool = new BufferPool();
    let code;
    try { pool.release(small.buffer); } catch (err) { code = err.code; }
    const plain = new ArrayBuffer(64);
    pool.release(plain);
    console.log(JSON.stringify({
      hasTransfer: typeof ArrayBuffer.prototype.transfer === 'function',
      code, intact: small.toString(), poolLength: small.buffer.byteLength > 0,
      plainDetached: plain.byteLength === 0, retained: pool.stats.retainedBytes,
    }));
  `;
  // The flag only where transfer() is not there already: newer V8 has no such flag.
  const flags = typeof ArrayBuffer.prototype.transfer === 'function' ? [] : ['--harmony-rab-gsab-transfer'];
  const { json } = await runNode(flags, script);
  assert.deepEqual(json, {
    hasTransfer: true,
    code: 'ERR_INVALID_ARG_VALUE',
    intact: 'password=hunter2',
    poolLength: true,
    plainDetached: true,
    retained: 64,
  });
});

test('BufferPool on a runtime without transfer(): its own loans are detached the short way, silently, and only they', async () => {
  // lib/buffer-pool.js: without ArrayBuffer.prototype.transfer (Node 20) a
  // loan of the pool is detached with the buffer binding's detachArrayBuffer
  // (through process.binding), other buffers with structuredClone; not under
  // --pending-deprecation (where process.binding warns), nor with
  // SHMKIT_NO_FAST_PATH=1. Each child counts the detachArrayBuffer calls.
  const script = `
    let fast = 0;
    const binding = process.binding;
    process.binding = function (name) {
      const b = binding.call(process, name);
      return name === 'buffer' ? { detachArrayBuffer: (ab) => (fast++, b.detachArrayBuffer(ab)) } : b;
    };
    // As transparent as a spy can be: Node's warning wrapper is named 'deprecated'.
    Object.defineProperty(process.binding, 'name', { value: binding.name });
    const { BufferPool } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const pool = new BufferPool();
    const a = pool.acquire(4096);
    new Uint8Array(a)[100] = 7;
    pool.release(a);
    const b = pool.acquire(4096); // the same memory again
    const seen = new Uint8Array(b)[100];
    pool.release(b);
    const small = Buffer.from('password=hunter2'); // not a loan: refused, as always
    let code;
    try { pool.release(small.buffer); } catch (err) { code = err.code; }
    const foreign = new ArrayBuffer(4096);
    pool.release(foreign);
    console.log(JSON.stringify({
      fast, detached: a.byteLength + b.byteLength + foreign.byteLength, seen, code,
      intact: small.toString(), stats: pool.stats,
    }));
  `;
  const hasTransfer = typeof ArrayBuffer.prototype.transfer === 'function';
  const common = {
    detached: 0,
    seen: 7,
    code: 'ERR_INVALID_ARG_VALUE',
    intact: 'password=hunter2',
    stats: { acquired: 2, released: 3, hits: 1, misses: 1, retainedBytes: 8192, outstanding: 0, leaked: 0 },
  };
  const cases = [
    [[], {}, hasTransfer ? 0 : 2], // the two loans, not the foreign buffer
    [['--pending-deprecation'], {}, 0],
    [['--pending_deprecation'], {}, 0],
    [[], { NODE_OPTIONS: '--pending-deprecation' }, 0],
    [[], { NODE_PENDING_DEPRECATION: '1' }, 0],
    [[], { SHMKIT_NO_FAST_PATH: '1' }, 0],
  ];
  for (const [args, env, fast] of cases) {
    const { json, stderr } = await runNode(['--throw-deprecation', ...args], script, env);
    assert.deepEqual(json, { ...common, fast }, `${args} ${JSON.stringify(env)}`);
    assert.doesNotMatch(stderr, /DEP0111|Warning/, `${args} ${JSON.stringify(env)}: no deprecation warning`);
  }
  // No spy here: Node itself has wrapped process.binding to warn, and the
  // flag is no longer in sight when shmkit loads and looks it up.
  const hidden = `
    delete process.env.NODE_OPTIONS;
    const { BufferPool } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const pool = new BufferPool();
    const ab = pool.acquire(64);
    pool.release(ab);
    console.log(JSON.stringify({ detached: ab.byteLength === 0, stats: pool.stats }));
  `;
  const { json, stderr } = await runNode(['--throw-deprecation'], hidden, { NODE_OPTIONS: '--pending-deprecation' });
  assert.deepEqual(json, { detached: true, stats: { acquired: 1, released: 1, hits: 0, misses: 1, retainedBytes: 64, outstanding: 0, leaked: 0 } });
  assert.doesNotMatch(stderr, /DEP0111|Warning/, 'no deprecation warning when only Node\'s wrapper tells');
});

test('BufferPool: a patched FinalizationRegistry cannot make release() take another buffer for a loan', async () => {
  // The watch on the loans decides which buffers take the short way on Node
  // 20: the pool must not hand its registry to, or ask, a patched method.
  const proto = FinalizationRegistry.prototype;
  const { register, unregister } = proto;
  const seen = new Set();
  proto.register = function (...args) {
    seen.add(this);
    return register.apply(this, args);
  };
  proto.unregister = () => true;
  const pool = new BufferPool();
  const small = Buffer.from('password=hunter2'); // Node's untransferable small-Buffer pool
  try {
    pool.release(pool.acquire(16));
    for (const watch of seen) register.call(watch, small.buffer, 1, small.buffer);
    await rejectsWithCode(assert, () => pool.release(small.buffer), 'ERR_INVALID_ARG_VALUE');
  } finally {
    proto.register = register;
    proto.unregister = unregister;
  }
  assert.equal(small.toString(), 'password=hunter2');
  assert.ok(small.buffer.byteLength > 0, 'the small-Buffer pool is not detached');
  assert.equal(pool.stats.retainedBytes, 16, 'only the loan is kept');
});

test('BufferPool: loading shmkit detaches nothing; a thread pays V8\'s detach checks only once it releases', async () => {
  // Any detach in a thread invalidates V8's ArrayBufferDetaching protector:
  // typed-array code in that thread runs slower from then on (README, "Detaching
  // has a cost"). Threads that only use shared memory must not pay it.
  const index = JSON.stringify(new URL('../index.js', import.meta.url).pathname);
  const script = `
    const shmkit = require(${index});
    const m = new shmkit.Mutex(); m.lock().unlock();
    const pool = new shmkit.BufferPool();
    const ab = pool.acquire(64);
    console.log('MARK acquired');
    pool.release(ab);
    console.log('MARK released');
  `;
  const { stdout: out } = await runNode(['--trace-protector-invalidation'], script);
  const lines = out.split('\n');
  const at = (re) => lines.findIndex((l) => re.test(l));
  const invalidated = at(/ArrayBufferDetaching/);
  assert.ok(at(/MARK acquired/) >= 0 && at(/MARK released/) >= 0, out);
  assert.ok(invalidated > at(/MARK acquired/), `no detach before the first release:\n${out}`);
  assert.ok(invalidated < at(/MARK released/), `the release detaches:\n${out}`);
});

// V8 makes a buffer non-detachable when it links an asm.js module to it
// (unless asm.js validation is off: --jitless, --no-validate-asm).
const asmModule = () =>
  new Function('stdlib', 'foreign', 'heap', `'use asm'; var h = new stdlib.Uint8Array(heap); function get(i) { i = i | 0; return h[i] | 0; } return { get: get };`);
const asmKeepsAttached = (() => {
  const scratch = new ArrayBuffer(65536);
  asmModule()(globalThis, {}, scratch);
  try {
    structuredClone(scratch, { transfer: [scratch] }); // copies it, if it stays
  } catch {
    // refused: stays too
  }
  return scratch.byteLength > 0;
})();

test('BufferPool: a loan V8 will not detach (an asm.js heap) is refused, still outstanding, and still counted as leaked when dropped', { skip: !asmKeepsAttached && 'asm.js validation is off in this Node' }, async () => {
  const pool = new BufferPool();
  let ab = pool.acquire(65536);
  let mod = asmModule()(globalThis, {}, ab);
  await rejectsWithCode(assert, () => pool.release(ab), 'ERR_INVALID_ARG_VALUE');
  assert.equal(ab.byteLength, 65536, 'left as it was');
  assert.deepEqual([pool.stats.outstanding, pool.stats.released, pool.stats.retainedBytes], [1, 0, 0]);
  ab = mod = undefined;
  assert.ok(await collectUntil(() => pool.stats.leaked === 1), `the dropped loan is counted (stats: ${JSON.stringify(pool.stats)})`);
  assert.equal(pool.stats.outstanding, 0);
});

test('BufferPool: lookalikes of ArrayBuffer are refused with a code, not a TypeError from V8', () => {
  const pool = new BufferPool();
  for (const fake of [Object.create(ArrayBuffer.prototype), { byteLength: 8, transfer: () => new ArrayBuffer(8) }]) {
    assert.throws(() => pool.release(fake), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  assert.equal(pool.stats.released, 0);
});

test('BufferPool: leaks in a loop that never yields are all counted, whether or not the allocator reuses their memory', async () => {
  // 400 buffers of 256 KiB, each dropped at once: V8 frees some before the
  // loop ends, and the allocator may hand the same memory to a later acquire
  // (the ledger then marks the earlier loan leaked at once; see
  // memory_lent_again_before_its_collection_was_reported_counts_as_leaked in
  // src/pool/buffer.rs, which covers that case deterministically). Either
  // way, every one is counted exactly once.
  const pool = new BufferPool();
  const N = 400;
  for (let i = 0; i < N; i++) new Uint8Array(pool.acquire(256 * 1024))[i] = 1; // dropped at once
  assert.ok(await collectUntil(() => pool.stats.leaked === N), `all ${N} counted (stats: ${JSON.stringify(pool.stats)})`);
  await sleep(20);
  gc();
  await sleep(20);
  assert.deepEqual(pool.stats, { acquired: N, released: 0, hits: 0, misses: N, retainedBytes: 0, outstanding: 0, leaked: N }, 'none counted twice');
});

test('the raw native calls behind acquire/release reject wrong arguments with a code, never crash', async () => {
  // lib/ always passes checked arguments; this is the binding's own guard
  // (src/raw.rs), reached here directly.
  const { createRequire } = await import('node:module');
  const native = createRequire(import.meta.url)('../lib/binding.js');
  const internal = (fn) => assert.throws(fn, (err) => err instanceof TypeError && err.code === 'ERR_SHMKIT_INTERNAL');
  internal(() => native.bufferPoolAcquire());
  internal(() => native.bufferPoolAcquire(1, 'x', 1));
  internal(() => native.bufferPoolAcquire(2 ** 31 + 5, 64, 1)); // no such pool here
  internal(() => native.bufferPoolRelease(1, new SharedArrayBuffer(8)));
  internal(() => native.bufferPoolRelease(1, new Uint8Array(8)));
  internal(() => native.bufferPoolRelease(1));
  // A real pool still works afterwards.
  const pool = new BufferPool();
  const ab = pool.acquire(64);
  pool.release(ab);
  assert.equal(pool.acquire(64).byteLength, 64);
  assert.equal(pool.stats.hits, 1);
});

test('BufferPool: patched Array.prototype accessors, a replaced Function.prototype.call, FinalizationRegistry method or binding function and a replaced global ArrayBuffer never make a pool lend or detach Node\'s small-Buffer pool', async () => {
  // In a child: what it patches would disturb the test runner. Each attack
  // aims to hand Node's pool (the memory behind small Buffers) to release()'s
  // fast detach, which does not read Node's untransferable mark.
  const script = `
    const { BufferPool } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const small = Buffer.from('password=hunter2');
    const nodePool = small.buffer;
    const out = { initialLength: nodePool.byteLength }; // 8 KiB on Node 20 and 22, about 64 KiB later
    const attempt = (name, fn) => {
      let lent = false, code;
      try { lent = fn() === nodePool; } catch (err) { code = err.code; }
      for (const k of ['0', '1', '2']) delete Array.prototype[k];
      out[name] = { lent, code, intact: small.toString(), poolLength: nodePool.byteLength };
    };
    // The binding's detach, replaced before the process's first release() (so first):
    // it detaches what it is given but hands back Node's pool as the memory.
    attempt('binding detachArrayBuffer', () => {
      const b = process.binding('buffer');
      const real = b.detachArrayBuffer;
      b.detachArrayBuffer = (ab) => (real(ab), nodePool);
      try {
        const pool = new BufferPool();
        pool.release(pool.acquire(8192));
        const ab = pool.acquire(8192, { zero: true });
        pool.release(ab);
        return ab;
      } finally {
        b.detachArrayBuffer = real;
      }
    });
    // An index accessor that swallows writes and reads back Node's pool.
    const trap = { get() { return nodePool; }, set() {}, configurable: true };
    attempt('recent', () => {
      const pool = new BufferPool();
      Object.defineProperty(Array.prototype, '0', trap);
      pool.acquire(16);
      pool.release(nodePool);
    });
    attempt('slots', () => {
      const pool = new BufferPool();
      const a = pool.acquire(8192);
      Object.defineProperty(Array.prototype, '0', trap);
      pool.release(a);
      const b = pool.acquire(8192);
      pool.release(b);
      return b;
    });
    // Built-ins the pool calls, replaced after it loaded, vouching for Node's
    // pool: unregister() says "that was a loan of mine", call() says so for it.
    attempt('Function.prototype.call', () => {
      const pool = new BufferPool();
      pool.release(pool.acquire(16)); // the fast detach, looked up
      const realCall = Function.prototype.call;
      Function.prototype.call = function (self, ...args) {
        if (this.name === 'unregister') return true;
        return Reflect.apply(this, self, args);
      };
      try { pool.release(nodePool); } finally { Function.prototype.call = realCall; }
    });
    attempt('FinalizationRegistry.prototype.unregister', () => {
      const pool = new BufferPool();
      pool.release(pool.acquire(16));
      const proto = FinalizationRegistry.prototype;
      const real = proto.unregister;
      proto.unregister = () => true;
      try { pool.release(nodePool); } finally { proto.unregister = real; }
    });
    attempt('global ArrayBuffer', () => {
      const pool = new BufferPool();
      const Real = ArrayBuffer;
      globalThis.ArrayBuffer = function (n) { return n === nodePool.byteLength ? nodePool : new Real(n); };
      let ab;
      try { ab = pool.acquire(nodePool.byteLength); } finally { globalThis.ArrayBuffer = Real; }
      pool.release(ab);
      return ab;
    });
    process._rawDebug(JSON.stringify(out));
  `;
  const { stderr } = await runNode([], script);
  const out = JSON.parse(stderr.trim().split('\n').pop());
  assert.ok(out.initialLength >= 8192, `Node's pool: ${out.initialLength} bytes`);
  const safe = { lent: false, intact: 'password=hunter2', poolLength: out.initialLength };
  assert.deepEqual(out.recent, { ...safe, code: 'ERR_INVALID_ARG_VALUE' });
  assert.deepEqual(out.slots, safe);
  assert.deepEqual(out['Function.prototype.call'], { ...safe, code: 'ERR_INVALID_ARG_VALUE' });
  assert.deepEqual(out['FinalizationRegistry.prototype.unregister'], { ...safe, code: 'ERR_INVALID_ARG_VALUE' });
  assert.deepEqual(out['binding detachArrayBuffer'], safe);
  assert.deepEqual(out['global ArrayBuffer'], safe);
});

test('BufferPool: a patched Promise (then, species, constructor) or Uint8Array (fill, the global) runs no code inside acquire() and does not stop the leak watch', async () => {
  // acquire() schedules the end-of-job join of its recent loans as a promise
  // reaction, and zeroes a recycled buffer for { zero: true } (see
  // lib/buffer-pool.js); in a child, since the patches would disturb the
  // test runner.
  const script = `
    const { BufferPool } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)});
    const zeroing = new BufferPool();
    const dirty = zeroing.acquire(64);
    new Uint8Array(dirty).fill(7);
    zeroing.release(dirty);
    let calls = 0;
    class Spy extends Promise { constructor(ex) { calls++; super(ex); } }
    Object.defineProperty(Promise, Symbol.species, { get() { calls++; return Spy; } });
    Promise.prototype.constructor = Spy;
    Promise.prototype.then = function () { calls++; throw new Error('patched then'); };
    const RealUint8Array = Uint8Array;
    RealUint8Array.prototype.fill = function () { calls++; throw new Error('patched fill'); };
    globalThis.Uint8Array = function () { calls++; throw new Error('patched Uint8Array'); };
    const pool = new BufferPool();
    let threw, zeroed;
    try {
      const again = zeroing.acquire(64, { zero: true }); // recycled: zeroed by acquire()
      zeroed = Array.from(new RealUint8Array(again)).every((b) => b === 0) && zeroing.stats.hits === 1;
      (() => { for (let i = 0; i < 3; i++) pool.acquire(1024); })(); // dropped: leaks
    } catch (err) {
      threw = err.message;
    }
    setTimeout(() => {
      gc();
      setTimeout(() => console.log(JSON.stringify({ calls, threw: threw ?? null, zeroed, stats: pool.stats })), 100);
    }, 10);
  `;
  const { json } = await runNode(['--expose-gc'], script);
  assert.equal(json.calls, 0, 'no patched code ran');
  assert.equal(json.threw, null);
  assert.equal(json.zeroed, true, 'the recycled buffer came back zeroed');
  assert.equal(json.stats.leaked, 3, 'the dropped loans were watched and counted');
  assert.equal(json.stats.outstanding, 0);
});
