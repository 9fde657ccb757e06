'use strict';
// BufferPool: recycled, transferable ArrayBuffers for the code that moves data
// with `postMessage(msg, [ab])`. The buffers are ordinary V8-allocated
// ArrayBuffers, so a transfer moves them without a copy. A pool belongs to one
// thread; the buffers it retains sit in `#slots`, and the Rust kernel
// (src/pool/buffer.rs) keeps the books: which slot to hand out, size classes,
// the LRU, the limit, the statistics, and the process-wide ledger of loans
// that lets a buffer be released into any thread's pool. A
// FinalizationRegistry tells the kernel when a handed-out buffer is collected
// without a release (a leak).
//
// release(ab) detaches `ab` while keeping its memory: a transfer to a fresh
// handle, so a use after release reads a length-0 buffer instead of someone
// else's data. The transfer is `ArrayBuffer.prototype.transfer` where the
// runtime has it together with `isMarkedAsUntransferable` (Node >= 21), else
// `structuredClone(ab, { transfer: [ab] })`. Both refuse what Node marks
// untransferable (the pool behind small Buffers): `transfer()` itself does
// not look at that mark, so it is only used where the mark can be read.
// On Node 20, the pool's own loans take a shorter way (`detachLoan` below).

const { types } = require('node:util');
const { constants } = require('node:buffer');
const { isMarkedAsUntransferable } = require('node:worker_threads');
const { native, FAST } = require('./runtime.js');
const errors = require('./errors.js');
const validate = require('./validate.js');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
const { MAX_LENGTH } = constants;
/** A collected pool's native state goes with it. */
const pools = new FinalizationRegistry((id) => native.bufferPoolDrop(id));

// The intrinsics, taken once: a lookalike object or a subclass cannot
// override them. The byteLength getter also tells a real ArrayBuffer from
// anything else (it throws for every other receiver, a SharedArrayBuffer too).
const proto = ArrayBuffer.prototype;
const byteLengthOf = Object.getOwnPropertyDescriptor(proto, 'byteLength').get;
const resizableOf = Object.getOwnPropertyDescriptor(proto, 'resizable')?.get;
const transfer = Object.getOwnPropertyDescriptor(proto, 'transfer')?.value;

function structuredCloneDetach(ab) {
  return structuredClone(ab, { transfer: [ab] });
}

/**
 * Moves `ab`'s memory to a new handle and detaches `ab`; returns the new
 * handle, or undefined when the runtime may not move it (`ab` is then
 * unchanged, or `structuredClone` copied it and left it attached).
 */
const detach =
  typeof transfer === 'function' && typeof isMarkedAsUntransferable === 'function'
    ? (ab) => (isMarkedAsUntransferable(ab) ? undefined : transfer.call(ab))
    : structuredCloneDetach;

/**
 * Node 20 only (it has no transfer()): the detach of Node's own web streams,
 * `detachArrayBuffer` of the buffer binding, which `process.binding('buffer')`
 * still exposes. It moves the memory to a new handle exactly as transfer()
 * does (src/node_buffer.cc: GetBackingStore, Detach, ArrayBuffer::New) in
 * about 0.2 µs, where structuredClone takes about 1 µs. It does not look at
 * Node's untransferable mark, so release() uses it only for the pool's own
 * loans: the very objects acquire() returned, which are never memory that
 * something else still uses (such as the pool behind small Buffers). Not used
 * where `process.binding` would print a deprecation warning
 * (--pending-deprecation), nor with SHMKIT_NO_FAST_PATH=1 (the test suite
 * runs both ways). Returns the new handle, or undefined.
 */
const detachLoan = transfer === undefined && FAST ? legacyDetach() : undefined;

function legacyDetach() {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/--pending-deprecation/.test(flags) || /^(1|true)$/i.test(process.env.NODE_PENDING_DEPRECATION ?? '')) return undefined;
  try {
    const fn = process.binding('buffer').detachArrayBuffer;
    if (typeof fn !== 'function') return undefined;
    // Checked once on a buffer of our own: moved, not copied.
    const probe = new ArrayBuffer(8);
    new Uint8Array(probe)[7] = 42;
    const moved = fn(probe);
    if (byteLengthOf.call(probe) !== 0 || byteLengthOf.call(moved) !== 8 || new Uint8Array(moved)[7] !== 42) return undefined;
    return (ab) => fn(ab);
  } catch {
    return undefined; // no process.binding (a permission model, a future Node)
  }
}

/** A per-thread pool of recycled, transferable ArrayBuffers. */
class BufferPool {
  #id; // the native pool's id (src/pool/buffer.rs)
  #slots = [];
  #max;
  #serial = 0; // names each loan, with the pool
  #watch; // FinalizationRegistry of handed-out buffers: serial when collected

  constructor(options) {
    const opts = validate.options(options);
    let max = opts?.maxRetainedBytes;
    if (max === undefined) max = native.BUFFER_POOL_DEFAULT_RETAINED;
    else if (max !== Infinity) validate.integer('options.maxRetainedBytes', max, 0, Number.MAX_SAFE_INTEGER);
    this.#max = max;
    const id = native.bufferPoolNew(max === Infinity ? Number.MAX_SAFE_INTEGER : max);
    this.#id = id;
    this.#watch = new FinalizationRegistry((serial) => native.bufferPoolCollected(id, serial));
    pools.register(this, id);
  }

  /**
   * An ArrayBuffer of exactly `byteLength` bytes: a recycled one when the pool
   * has one of that length (its contents are unspecified unless `{ zero: true }`),
   * else a new one (zero-filled).
   */
  acquire(byteLength, options) {
    validate.integer('byteLength', byteLength, 1, MAX_LENGTH);
    const opts = validate.options(options);
    const zero = opts?.zero ?? false;
    if (typeof zero !== 'boolean') throw errors.invalidArgType('options.zero', 'a boolean', zero);
    const serial = ++this.#serial;
    const slot = native.bufferPoolAcquire(this.#id, byteLength, serial);
    let ab;
    if (slot >= 0) {
      ab = this.#slots[slot];
      this.#slots[slot] = undefined;
      if (zero) new Uint8Array(ab).fill(0);
    } else {
      try {
        ab = new ArrayBuffer(byteLength);
      } catch (err) {
        throw errors.allocationFailed(`BufferPool: cannot allocate ${byteLength} bytes (${err.message})`);
      }
      native.bufferPoolLend(this.#id, ab, serial);
    }
    this.#watch.register(ab, serial, ab);
    return ab;
  }

  /**
   * Gives `buffer`'s memory back to the pool (or drops it, when keeping it
   * would exceed `maxRetainedBytes`) and detaches `buffer`: its byteLength
   * becomes 0. Any non-shared, non-resizable ArrayBuffer is accepted, including
   * one received from another thread; a detached one (released or transferred
   * already) throws ERR_INVALID_ARG_VALUE and changes nothing.
   */
  release(buffer) {
    let length;
    try {
      length = byteLengthOf.call(buffer);
    } catch {
      let expected = 'an ArrayBuffer';
      if (types.isSharedArrayBuffer(buffer)) expected += ' (a SharedArrayBuffer is shared, not pooled)';
      else if (ArrayBuffer.isView(buffer)) expected += ' (pass the view\'s .buffer)';
      throw errors.invalidArgType('buffer', expected, buffer);
    }
    if (resizableOf?.call(buffer)) throw errors.invalidArgValue('buffer', buffer, 'is resizable; pools hold fixed-length buffers');
    if (length === 0) {
      throw errors.invalidArgValue('buffer', buffer, 'is detached (already released or transferred) or empty');
    }
    let kept;
    let unwatched = false;
    if (detachLoan !== undefined && (unwatched = this.#watch.unregister(buffer))) {
      // One of this pool's loans (it was watched as the object acquire()
      // returned). Such a buffer is always detachable: a failure here would
      // be a runtime that changed under us, reported like any other.
      kept = detachLoan(buffer);
    } else {
      try {
        kept = detach(buffer);
      } catch (err) {
        throw errors.invalidArgValue('buffer', buffer, `cannot be detached (${err.message})`);
      }
    }
    if (kept === undefined || byteLengthOf.call(buffer) !== 0) {
      // Node marks some buffers untransferable (the shared pool behind small
      // Buffers): structuredClone copies them and transfer() is not used on
      // them. The caller still holds that memory, so it must not be handed
      // out again.
      throw errors.invalidArgValue('buffer', buffer, 'cannot be detached (the runtime marks it untransferable, e.g. the pool behind small Buffers)');
    }
    if (!unwatched) this.#watch.unregister(buffer); // when it is the very object acquire() gave
    let slot = native.bufferPoolRelease(this.#id, kept);
    if (slot < 0) return;
    if (slot >= native.BUFFER_POOL_EVICTED) {
      slot -= native.BUFFER_POOL_EVICTED;
      for (const s of native.bufferPoolTakeEvicted(this.#id)) this.#slots[s] = undefined;
    }
    this.#slots[slot] = kept;
  }

  /** `{ acquired, released, hits, misses, retainedBytes, outstanding, leaked }` (a snapshot). */
  get stats() {
    return native.bufferPoolStats(this.#id);
  }

  /** The most memory the pool keeps for reuse, in bytes. */
  get maxRetainedBytes() {
    return this.#max;
  }

  /** Drops every retained buffer (outstanding ones are not affected). */
  trim() {
    native.bufferPoolTrim(this.#id);
    this.#slots = [];
  }

  /** `trim()`, for `using pool = new BufferPool()`. */
  [Symbol.dispose]() {
    this.trim();
  }

  [inspectSymbol](depth, options, inspect) {
    if (depth < 0) return 'BufferPool {}';
    return `BufferPool ${inspect({ maxRetainedBytes: this.#max, ...this.stats }, options)}`;
  }
}

/**
 * For benches/pool.bench.mjs (not part of the API): how release() detaches a
 * loan of the pool on this runtime, by name, and that detach alone.
 */
const loanDetach = {
  name:
    detachLoan !== undefined
      ? "process.binding('buffer').detachArrayBuffer(ab)"
      : detach === structuredCloneDetach
        ? 'structuredClone(ab, { transfer: [ab] })'
        : 'ab.transfer()',
  detach: detachLoan ?? detach,
};

module.exports = { BufferPool, loanDetach };
