// Buffer-lifetime pitfalls, shown rather than described.
//
//   (a) A small `subarray` of a big buffer is a view: it keeps the whole big
//       buffer alive. `slice` copies just the bytes you want.
//   (b) After `postMessage(ab, [ab])` the buffer belongs to the other thread:
//       here it is detached (byteLength 0). Old views silently read undefined;
//       new views, slice and cloning throw.
//   (c) `BufferPool.release(ab)` takes the buffer back the same way: the
//       handle you passed in is detached, as in (b), so a use after release
//       throws or reads undefined instead of scribbling over memory the pool
//       has handed to someone else.
//   (d) A SlabPool block is shared memory, which can never be detached. The
//       Block object refuses use after release (and the pool refuses a stale
//       id), but a view you copied out of `block.bytes` earlier still works,
//       and now writes into the next owner's data. Do not keep those views.
//
// Run: node examples/lifetime-pitfalls.mjs
// Prints one `<part> <what>: <result>` line per check; an error shows as
// `throws <name> [<code>]`.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { once } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { BufferPool, SlabPool } from 'shmkit';

if (!isMainThread) {
  // (b)'s receiving side: report what arrived.
  parentPort.once('message', (ab) => parentPort.postMessage({ byteLength: ab.byteLength, first: new Uint8Array(ab)[0] }));
} else {
  const MiB = 1024 * 1024;

  // --- (a) subarray keeps the big buffer alive, slice copies ----------------
  // To *see* what stays alive we force a garbage collection (a demo trick:
  // this turns on the `gc()` that `node --expose-gc` would give).
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');

  /** Reads a 16 MiB "file" and keeps only `take(big)`, its first 16 bytes. */
  function readHeader(take) {
    const big = new Uint8Array(16 * MiB).fill(7);
    // `big` goes out of scope at the return... but is its memory free?
    // A WeakRef lets us ask later whether the buffer was garbage collected.
    return { header: take(big), bigBuffer: new WeakRef(big.buffer) };
  }

  /** The header `take` keeps, and whether the 16 MiB buffer is still alive after a GC. */
  async function retainedBy(take) {
    const { header, bigBuffer } = readHeader(take);
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds on until the current job ends
    gc();
    return { header, bigAlive: bigBuffer.deref() !== undefined };
  }

  const viaSubarray = await retainedBy((big) => big.subarray(0, 16)); // a view: same memory
  const viaSlice = await retainedBy((big) => big.slice(0, 16)); // a copy: 16 new bytes
  for (const [how, { header, bigAlive }] of [['subarray', viaSubarray], ['slice', viaSlice]]) {
    console.log(`(a) ${how} header.length ${header.length} header.buffer.byteLength ${header.buffer.byteLength} big buffer alive after gc ${bigAlive}`);
  }

  // --- (b) a buffer used after it was transferred --------------------------
  const worker = new Worker(new URL(import.meta.url));
  const ab = new ArrayBuffer(1024);
  const view = new Uint8Array(ab);
  view[0] = 42;
  worker.postMessage(ab, [ab]); // move, not copy: the worker owns these bytes now
  const [arrived] = await once(worker, 'message');
  console.log(`(b) worker received byteLength ${arrived.byteLength} first ${arrived.first}`);
  console.log(`(b) after transfer ab.byteLength ${ab.byteLength} view.length ${view.length} view[0] ${view[0]}`);
  view[0] = 1; // no error, no effect: a silent bug
  console.log(`(b) write through old view then view[0] ${view[0]}`);
  console.log(`(b) new Uint8Array(ab): ${attempt(() => new Uint8Array(ab))}`);
  console.log(`(b) ab.slice(0): ${attempt(() => ab.slice(0))}`);
  console.log(`(b) view.fill(0): ${attempt(() => view.fill(0))}`);
  console.log(`(b) structuredClone(ab): ${attempt(() => structuredClone(ab))}`);
  await worker.terminate();

  // --- (c) a buffer used after it went back to a BufferPool ---------------
  const pool = new BufferPool();
  const buf = pool.acquire(4096);
  const bytes = new Uint8Array(buf);
  bytes.fill(9);
  pool.release(buf); // back to the pool: the handle `buf` is detached
  console.log(`(c) after release buf.byteLength ${buf.byteLength} bytes.length ${bytes.length}`);
  console.log(`(c) new Uint8Array(buf): ${attempt(() => new Uint8Array(buf))}`);
  console.log(`(c) pool.release(buf) again: ${attempt(() => pool.release(buf))}`);
  const again = pool.acquire(4096, { zero: true }); // served from the pool (a hit)
  const { hits, outstanding } = pool.stats;
  console.log(`(c) acquire again byteLength ${again.byteLength} hits ${hits} outstanding ${outstanding}`);
  pool.release(again);

  // --- (d) a SlabPool block used after it was released ---------------------
  const slab = new SlabPool({ blockSize: 64, blocks: 1 }); // one block, so it is reused at once
  const block = slab.acquire();
  const oldId = block.id;
  const kept = block.bytes; // a view kept past the release: the bug
  block.release();
  console.log(`(d) block.bytes after release: ${attempt(() => block.bytes)}`);
  console.log(`(d) block.release() again: ${attempt(() => block.release())}`);
  console.log(`(d) slab.open(old id): ${attempt(() => slab.open(oldId))}`);
  const next = slab.acquire(); // the same memory, now someone else's
  next.bytes.fill(1);
  kept[0] = 99; // no error: it lands in `next`'s data
  console.log(`(d) kept view written after release: next owner's first byte ${next.bytes[0]}`);
  next.release();
}

/** Runs `fn`: `throws <name> [<code>]`, or `returns <type>` if it did not throw. */
function attempt(fn) {
  try {
    const result = fn();
    return `returns ${result?.constructor?.name ?? result}`;
  } catch (err) {
    return `throws ${err.name}${typeof err.code === 'string' ? ` ${err.code}` : ''}`; // (DOMException codes are numbers: left out)
  }
}
