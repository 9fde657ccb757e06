'use strict';
// BufferPool: recycled, transferable ArrayBuffers for the code that moves data
// with `postMessage(msg, [ab])`. The buffers are ordinary V8-allocated
// ArrayBuffers, so a transfer moves them without a copy. A pool belongs to one
// thread; the buffers it retains sit in `#slots`, and the Rust kernel
// (src/pool/buffer.rs) keeps the books: size classes, the LRU, the limit,
// the statistics, and the process-wide ledger of loans that lets a buffer be
// released into any thread's pool.
//
// release(ab) detaches `ab` while keeping its memory: a transfer to a fresh
// handle (`ArrayBuffer.prototype.transfer` where the runtime has it, else
// `structuredClone(ab, { transfer: [ab] })`), so a use after release reads a
// length-0 buffer instead of someone else's data.

const { types } = require('node:util');
const { constants } = require('node:buffer');
const { native } = require('./runtime.js');
const errors = require('./errors.js');
const validate = require('./validate.js');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** Moves `ab`'s memory to a new handle and detaches `ab`. */
const detach =
  typeof ArrayBuffer.prototype.transfer === 'function'
    ? (ab) => ab.transfer()
    : (ab) => structuredClone(ab, { transfer: [ab] });

/** A per-thread pool of recycled, transferable ArrayBuffers. */
class BufferPool {
  #k;
  #slots = [];
  #max;

  constructor(options) {
    const opts = validate.options(options);
    let max = opts?.maxRetainedBytes;
    if (max === undefined) max = native.BUFFER_POOL_DEFAULT_RETAINED;
    else if (max !== Infinity) validate.integer('options.maxRetainedBytes', max, 0, Number.MAX_SAFE_INTEGER);
    this.#max = max;
    this.#k = new native.BufferPoolKernel(max === Infinity ? Number.MAX_SAFE_INTEGER : max);
  }

  /**
   * An ArrayBuffer of exactly `byteLength` bytes: a recycled one when the pool
   * has one of that length (its contents are unspecified unless `{ zero: true }`),
   * else a new one (zero-filled).
   */
  acquire(byteLength, options) {
    validate.integer('byteLength', byteLength, 1, constants.MAX_LENGTH);
    const opts = validate.options(options);
    const zero = opts?.zero ?? false;
    if (typeof zero !== 'boolean') throw errors.invalidArgType('options.zero', 'a boolean', zero);
    try {
      return this.#k.acquire(byteLength, zero, this.#slots);
    } catch (err) {
      const e = new RangeError(`BufferPool: cannot allocate ${byteLength} bytes (${err.message})`);
      e.code = 'ERR_MEMORY_ALLOCATION_FAILED';
      throw e;
    }
  }

  /**
   * Gives `buffer`'s memory back to the pool (or drops it, when keeping it
   * would exceed `maxRetainedBytes`) and detaches `buffer`: its byteLength
   * becomes 0. Any non-shared, non-resizable ArrayBuffer is accepted, including
   * one received from another thread; a detached one (released or transferred
   * already) throws ERR_INVALID_ARG_VALUE and changes nothing.
   */
  release(buffer) {
    if (!types.isArrayBuffer(buffer)) {
      let expected = 'an ArrayBuffer';
      if (types.isSharedArrayBuffer(buffer)) expected += ' (a SharedArrayBuffer is shared, not pooled)';
      else if (ArrayBuffer.isView(buffer)) expected += ' (pass the view\'s .buffer)';
      throw errors.invalidArgType('buffer', expected, buffer);
    }
    if (buffer.resizable) throw errors.invalidArgValue('buffer', buffer, 'is resizable; pools hold fixed-length buffers');
    if (buffer.byteLength === 0) {
      throw errors.invalidArgValue('buffer', buffer, 'is detached (already released or transferred) or empty');
    }
    let kept;
    try {
      kept = detach(buffer);
    } catch (err) {
      throw errors.invalidArgValue('buffer', buffer, `cannot be detached (${err.message})`);
    }
    this.#k.release(kept, this.#slots);
  }

  /** `{ acquired, released, hits, misses, retainedBytes, outstanding, leaked }` (a snapshot). */
  get stats() {
    return this.#k.stats();
  }

  /** The most memory the pool keeps for reuse, in bytes. */
  get maxRetainedBytes() {
    return this.#max;
  }

  /** Drops every retained buffer (outstanding ones are not affected). */
  trim() {
    this.#k.trim(this.#slots);
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

module.exports = { BufferPool };
