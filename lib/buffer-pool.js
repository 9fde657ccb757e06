'use strict';
// BufferPool: recycled, transferable ArrayBuffers for the code that moves data
// with `postMessage(msg, [ab])`. The buffers are ordinary V8-allocated
// ArrayBuffers, so a transfer moves them without a copy. A pool belongs to one
// thread; the buffers it retains sit in `#slots`, and the Rust kernel
// (src/pool/buffer.rs) keeps the books: which slot to hand out, size classes,
// the LRU, the limit, the statistics, and the process-wide ledger of loans
// that lets a buffer be released into any thread's pool. A
// FinalizationRegistry tells the kernel when a handed-out buffer is collected
// without a release (a leak); see `#recent` for when a buffer joins it.
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
const intrinsics = require('./intrinsics.js');

const { inspectSymbol, inspected } = require('./inspect.js');
const { MAX_LENGTH } = constants;
/** A collected pool's native state goes with it. */
const pools = new FinalizationRegistry((id) => native.bufferPoolDrop(id));

// The intrinsics, taken once (lib/intrinsics.js): a lookalike object, a
// subclass or a replaced Function.prototype.call cannot answer for them. The
// byteLength getter also tells a real ArrayBuffer from anything else (it
// throws for every other receiver, a SharedArrayBuffer too). The watch on
// the loans (FinalizationRegistry) decides which buffers take the short way,
// so a patched registry method must not be able to vouch for one either.
const {
  arrayBufferByteLength: byteLengthOf,
  arrayBufferResizable: resizableOf,
  arrayBufferTransfer: transfer,
  registryRegister: register,
  registryUnregister: unregister,
  FinalizationRegistry: Registry,
  typedArrayFill: fill,
  uncurryThis,
} = intrinsics;

// Globals the pool calls, taken at load: code that replaces them later (a
// global `ArrayBuffer` that returns Node's own pool, say) cannot hand the
// pool a buffer it did not make.
const { structuredClone } = globalThis;
// The end-of-job join of #recent is a reaction to a settled promise rather
// than a queueMicrotask() callback, which makes an AsyncResource and a bound
// function per call: in a round trip to a worker (a cold call after a sleep)
// that took acquire() from about 1 µs to 0.5, measured in one process
// against queueMicrotask. `then` is taken at load, as the other built-ins,
// and the promise's own `constructor` is undefined, so that `then` makes its
// result with the intrinsic Promise and looks up no species: a patched
// Promise runs nothing inside acquire(). (async_hooks' init hooks do run
// there, as they did for queueMicrotask.)
const promiseThen = uncurryThis(Promise.prototype.then);
const settled = Promise.resolve();
Object.defineProperty(settled, 'constructor', { value: undefined });
const NewArrayBuffer = ArrayBuffer;
const NewUint8Array = Uint8Array;
const binding = typeof process.binding === 'function' ? process.binding : undefined;
const callBinding = binding === undefined ? undefined : uncurryThis(binding);
const { setPrototypeOf } = Object;

/**
 * An array without a prototype: reading or writing any index of it runs no
 * accessor someone defined on `Array.prototype` or `Object.prototype` (on a
 * plain array, a write past the end or a read of a hole would).
 */
function bareArray() {
  const a = [];
  setPrototypeOf(a, null);
  return a;
}

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
    ? (ab) => (isMarkedAsUntransferable(ab) ? undefined : transfer(ab))
    : structuredCloneDetach;

/**
 * Node 20 (no transfer() there, or no isMarkedAsUntransferable): the detach
 * of Node's own web streams, `detachArrayBuffer` of the buffer binding, which
 * `process.binding('buffer')` still exposes. It moves the memory to a new
 * handle exactly as transfer() does (src/node_buffer.cc: GetBackingStore,
 * Detach, ArrayBuffer::New) in about 0.2 µs, where structuredClone takes
 * about 1 µs. It does not look at Node's untransferable mark, so release()
 * uses it only for the pool's own loans: the very objects acquire() returned,
 * which are never memory that something else still uses (such as the pool
 * behind small Buffers). Not used where `process.binding` would print a
 * deprecation warning (Node then wraps it in a function named 'deprecated':
 * --pending-deprecation in any spelling or source), nor with
 * SHMKIT_NO_FAST_PATH=1 (the test suite runs both ways).
 *
 * Looked up at load, like the other built-ins: the binding object's
 * properties are writable, and code that replaced this one later must not
 * decide what release() keeps. (Looking it up detaches nothing.)
 */
const MAY_DETACH_LOANS = FAST && detach === structuredCloneDetach;
let detachLoan = MAY_DETACH_LOANS ? lookUpDetachArrayBuffer() : undefined; // the function, or undefined

function lookUpDetachArrayBuffer() {
  try {
    if (binding === undefined || binding.name === 'deprecated') return undefined;
    const fn = callBinding(process, 'buffer').detachArrayBuffer;
    return typeof fn === 'function' ? fn : undefined;
  } catch {
    return undefined; // no process.binding (a permission model, a future Node)
  }
}

/**
 * After how many acquires, or how many bytes handed out, the buffers in
 * `#recent` join the registry (they also do at the end of the current job).
 */
const RECENT_LOANS = 32;
const RECENT_BYTES = 32 * 1024 * 1024;

/** A bare array of RECENT_LOANS pairs, every entry undefined (packed: no holes). */
function recentArray() {
  const a = bareArray();
  for (let i = 0; i < 2 * RECENT_LOANS; i++) a[i] = undefined;
  return a;
}

/** A per-thread pool of recycled, transferable ArrayBuffers. */
class BufferPool {
  #id; // the native pool's id (src/pool/buffer.rs)
  #slots = bareArray();
  #max;
  #serial = 0; // names each loan, with the pool
  #watch; // FinalizationRegistry of handed-out buffers: serial when collected
  // The latest handed-out buffers, not yet in #watch: [buffer, serial, ...].
  // A FinalizationRegistry costs about 0.15 µs per buffer (register, then
  // unregister at its release), most of a hot acquire + release; a buffer
  // released soon after it was acquired (before the end of the job, and of
  // the next RECENT_LOANS acquires) never pays it. Held strongly here, a
  // buffer cannot be collected, so cannot leak, before it joins #watch: at
  // the end of the job (a microtask), or once RECENT_LOANS acquires or
  // RECENT_BYTES bytes have been handed out since the last join, whichever
  // comes first. A released one leaves at once. It holds at most
  // RECENT_LOANS buffers (a join empties it; only a join cut short by a
  // stack overflow leaves it fuller, and it then grows), so its length is
  // fixed and #recentEnd says how much is in use: setting the length of an
  // array without a prototype goes through V8's runtime, and a shortened
  // array grows its store again at the next acquire (together about 0.1 µs
  // of a hot 64 KiB cycle, measured in one process against the fixed array).
  #recent = recentArray();
  #recentEnd = 0; // entries in use: #recent[0 .. #recentEnd)
  #sinceJoin = 0; // acquires since the last join
  #bytesSinceJoin = 0;
  #joinQueued = false;
  #joinLater = () => {
    this.#joinQueued = false;
    try {
      this.#joinWatch();
    } catch (err) {
      // An uncaught exception, as from a queueMicrotask() callback, not an
      // unhandled rejection of the promise then() made.
      process.nextTick(() => {
        throw err;
      });
    }
  };

  constructor(options) {
    const opts = validate.options(options);
    if (opts !== undefined) validate.knownKeys(opts, ['maxRetainedBytes']);
    let max = opts?.maxRetainedBytes;
    if (max === undefined) max = native.BUFFER_POOL_DEFAULT_RETAINED;
    else if (max !== Infinity) validate.integer('options.maxRetainedBytes', max, 0, Number.MAX_SAFE_INTEGER);
    this.#max = max;
    const id = native.bufferPoolNew(max === Infinity ? Number.MAX_SAFE_INTEGER : max);
    this.#id = id;
    this.#watch = new Registry((serial) => native.bufferPoolCollected(id, serial));
    register(pools, this, id);
  }

  /** Moves every buffer of `#recent` still out into `#watch`. */
  #joinWatch() {
    const recent = this.#recent;
    const end = this.#recentEnd;
    for (let i = 0; i < end; i += 2) {
      const ab = recent[i];
      if (ab !== undefined) {
        register(this.#watch, ab, recent[i + 1], ab);
        recent[i] = undefined;
      }
    }
    this.#recentEnd = 0;
    this.#sinceJoin = 0;
    this.#bytesSinceJoin = 0;
  }

  /** Puts `ab`, handed out as loan `serial`, under watch (see `#recent`). */
  #watchLoan(ab, serial, byteLength) {
    const recent = this.#recent;
    const n = this.#recentEnd;
    recent[n] = ab;
    recent[n + 1] = serial;
    this.#recentEnd = n + 2;
    if (++this.#sinceJoin >= RECENT_LOANS || (this.#bytesSinceJoin += byteLength) >= RECENT_BYTES) this.#joinWatch();
    if (!this.#joinQueued) {
      promiseThen(settled, this.#joinLater);
      this.#joinQueued = true; // (after: if then() threw, the next acquire tries again)
    }
  }

  /**
   * Stops watching `buffer` if it is one of this pool's handed-out buffers
   * (the very object acquire() returned); says whether it was.
   */
  #unwatch(buffer) {
    const recent = this.#recent;
    const last = this.#recentEnd - 2;
    if (last >= 0 && recent[last] === buffer) {
      recent[last] = undefined;
      this.#recentEnd = last;
      return true;
    }
    for (let i = last - 2; i >= 0; i -= 2) {
      if (recent[i] === buffer) {
        recent[i] = undefined;
        return true;
      }
    }
    return unregister(this.#watch, buffer);
  }

  /**
   * An ArrayBuffer of exactly `byteLength` bytes: a recycled one when the pool
   * has one of that length (its contents are unspecified unless `{ zero: true }`),
   * else a new one (zero-filled).
   */
  acquire(byteLength, options) {
    validate.integer('byteLength', byteLength, 1, MAX_LENGTH);
    const opts = validate.options(options);
    if (opts !== undefined) validate.knownKeys(opts, ['zero']);
    const zero = opts?.zero ?? false;
    if (typeof zero !== 'boolean') throw errors.invalidArgType('options.zero', 'a boolean', zero);
    const serial = ++this.#serial;
    const slot = native.bufferPoolAcquire(this.#id, byteLength, serial);
    let ab;
    if (slot >= 0) {
      ab = this.#slots[slot];
      this.#slots[slot] = undefined;
    } else {
      try {
        ab = new NewArrayBuffer(byteLength);
      } catch (err) {
        throw errors.allocationFailed(`BufferPool: cannot allocate ${byteLength} bytes (${err.message})`);
      }
      native.bufferPoolLend(this.#id, ab, serial);
    }
    // Watched before anything else runs (the fill, then the caller), so a
    // loan cannot go unwatched; the fill with the intrinsics, so no patched
    // Uint8Array or fill() runs inside acquire().
    this.#watchLoan(ab, serial, byteLength);
    if (zero && slot >= 0) fill(new NewUint8Array(ab), 0);
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
      length = byteLengthOf(buffer);
    } catch {
      let expected = 'an ArrayBuffer';
      if (types.isSharedArrayBuffer(buffer)) expected += ' (a SharedArrayBuffer is shared, not pooled)';
      else if (ArrayBuffer.isView(buffer)) expected += ' (pass the view\'s .buffer)';
      throw errors.invalidArgType('buffer', expected, buffer);
    }
    if (resizableOf?.(buffer)) throw errors.invalidArgValue('buffer', buffer, 'is resizable; pools hold fixed-length buffers');
    if (length === 0) {
      throw errors.invalidArgValue('buffer', buffer, 'is detached (already released or transferred) or empty');
    }
    // Whether `buffer` is one of this pool's loans, the very object acquire()
    // returned (its watch is taken off here, and put back if it stays).
    const unwatched = this.#unwatch(buffer);
    const fast = unwatched ? detachLoan : undefined;
    let kept = fast !== undefined ? detachedLoan(fast, buffer, length) : undefined;
    if (kept === undefined) {
      try {
        kept = detach(buffer);
      } catch (err) {
        if (unwatched) this.#watchAgain(buffer);
        throw errors.invalidArgValue('buffer', buffer, `cannot be detached (${err.message})`);
      }
      if (kept === undefined || byteLengthOf(buffer) !== 0) {
        // Node marks some buffers untransferable (the shared pool behind
        // small Buffers): structuredClone copies them and transfer() is not
        // used on them. The caller still holds that memory, so it must not
        // be handed out again.
        if (unwatched) this.#watchAgain(buffer);
        throw errors.invalidArgValue('buffer', buffer, 'cannot be detached (the runtime marks it untransferable, e.g. the pool behind small Buffers, or V8 keeps it attached, e.g. an asm.js heap)');
      }
    }
    let slot = native.bufferPoolRelease(this.#id, kept);
    if (slot < 0) return;
    if (slot >= native.BUFFER_POOL_EVICTED) {
      slot -= native.BUFFER_POOL_EVICTED;
      for (let s; (s = native.bufferPoolNextEvicted(this.#id)) >= 0; ) this.#slots[s] = undefined;
    }
    this.#slots[slot] = kept;
  }

  /** Watches `buffer`, a loan that release() stopped watching and then could not take back, again. */
  #watchAgain(buffer) {
    const serial = native.bufferPoolLoanSerial(this.#id, buffer);
    if (serial >= 0) register(this.#watch, buffer, serial, buffer);
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
    this.#slots = bareArray();
  }

  /** `trim()`, for `using pool = new BufferPool()`. */
  [Symbol.dispose]() {
    this.trim();
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('BufferPool', #max in this, depth, options, inspect, () => ({ maxRetainedBytes: this.#max, ...this.stats }));
  }
}

/**
 * Detaches `buffer`, a loan of `length` bytes, with `fast` (the binding's
 * detachArrayBuffer); returns the new handle, or undefined when the general
 * way must decide: `buffer` is still attached (V8 refuses for some buffers,
 * e.g. an asm.js heap), or the binding threw or did not hand back the same
 * memory, which Node 20's never does: then it is never used again.
 */
function detachedLoan(fast, buffer, length) {
  let moved = false;
  let kept;
  try {
    kept = fast(buffer);
    if (byteLengthOf(buffer) !== 0) return undefined;
    moved = byteLengthOf(kept) === length; // throws for a non-ArrayBuffer
  } catch {
    // not what Node 20's binding does
  }
  if (!moved) detachLoan = undefined;
  return moved ? kept : undefined;
}

/**
 * For benches/pool.bench.mjs only, not part of the API: how release()
 * detaches one of the pool's loans on this runtime, by name, and that detach
 * alone. It detaches whatever it is given (the small-Buffer pool too): never
 * for anything but a buffer of one's own.
 */
function loanDetach() {
  const fast = detachLoan;
  if (fast !== undefined) return { kind: 'binding', name: "process.binding('buffer').detachArrayBuffer(ab)", detach: fast };
  if (detach === structuredCloneDetach) return { kind: 'structuredClone', name: 'structuredClone(ab, { transfer: [ab] })', detach };
  return { kind: 'transfer', name: 'isMarkedAsUntransferable(ab) ? undefined : ab.transfer()', detach };
}

module.exports = { BufferPool, loanDetach };
