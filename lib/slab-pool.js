'use strict';
// SlabPool: fixed-size blocks of one SharedArrayBuffer whose ownership moves
// between threads by id: the seeds' hybrid pattern, where a small control plane
// (ids through a RingBuffer, Queue or Channel) moves a big data plane (the
// blocks) without copying it or calling postMessage.
//
// Three parts, back to back from `byteOffset`:
//
//   byte 0                       q                           d
//        +-----------------------+---------------------------+---------+---------+---
//        | control object        | Queue (Int32) of the free | block 0 | block 1 | ...
//        | 64 + 8 * blocks bytes | block indices             | blockSize bytes each
//        +-----------------------+---------------------------+---------+---------+---
//        q and d are rounded up to multiples of 64
//
// The control object (kind SlabPool) holds the block size and one state and
// owner word per block; src/pool/slab.rs documents those words and makes every
// change of ownership there. The free list is a complete shmkit Queue: pops
// and pushes are lock-free, and a thread waiting for a free block blocks (or
// awaits) on it like any Queue consumer. Its pops and pushes are made in Rust
// (src/pool/free_list.rs), in the same native call as the block's change of
// state, so that a thread terminated between the two cannot lose the block.

const { native } = require('./runtime.js');
const shared = require('./shared.js');
const errors = require('./errors.js');
const validate = require('./validate.js');
const { Queue, stampWordOf } = require('./queue.js');
const ring = require('./ring-common.js');

const { TAIL, STATE, CLOSED, CONSUMERS_WAITING } = ring;

const { inspectSymbol, inspected } = require('./inspect.js');
const BLOCK_SIZE = native.HEADER_BYTES / 4; // word index of the block size
const MAX_BLOCK_SIZE = 2 ** 31 - 8; // the largest multiple of 8 an i32 holds
const NONE_FREE = -native.STATUS_WOULD_BLOCK; // slabAcquire's answer when no block is free
// A waiting acquire looks for blocks of exited threads this often.
const RECLAIM_EVERY_MS = 100;

/** The next round of a wait that ends at `deadline` (a performance.now() time, or Infinity). */
const roundOf = (deadline) => Math.max(0, Math.min(RECLAIM_EVERY_MS, deadline - performance.now()));
const SPAN = native.SLAB_ID_SPAN;
const kBlock = Symbol('shmkit.block');
let internalsOf; // SlabPool's internals, for Block (set in SlabPool's static block)

const roundUp64 = (n) => Math.ceil(n / 64) * 64;
const freeCapacity = (blocks) => Math.max(2, 2 ** Math.ceil(Math.log2(blocks)));

/** Byte offsets of the three parts, and the total, for `blocks` of `blockSize`. */
function partsOf(blockSize, blocks) {
  const queueAt = roundUp64(native.objectByteLength(native.KIND_SLAB, blocks, 0));
  const dataAt = roundUp64(queueAt + Queue.byteLengthFor(Int32Array, freeCapacity(blocks)));
  return { queueAt, dataAt, byteLength: dataAt + blockSize * blocks };
}

/** `{ blockSize, blocks }`, validated. */
function specOf(spec) {
  if (spec === null || typeof spec !== 'object') throw errors.invalidArgType('spec', 'an object { blockSize, blocks }', spec);
  validate.knownKeys(spec, ['blockSize', 'blocks'], 'spec');
  const { blockSize, blocks } = spec;
  validate.integer('spec.blockSize', blockSize, 8, MAX_BLOCK_SIZE);
  if (blockSize % 8 !== 0) throw errors.invalidArgValue('spec.blockSize', blockSize, 'must be a multiple of 8');
  validate.integer('spec.blocks', blocks, 1, native.SLAB_MAX_BLOCKS);
  const { byteLength } = partsOf(blockSize, blocks);
  if (byteLength > Number.MAX_SAFE_INTEGER) {
    throw errors.outOfRange('SlabPool.byteLengthFor(spec)', `at most ${Number.MAX_SAFE_INTEGER} bytes (the blocks, the free list and the control part)`, byteLength);
  }
  return { blockSize, blocks };
}

/** Fixed-size blocks of one SharedArrayBuffer, owned by one thread at a time and handed between threads by id. */
class SlabPool {
  #c; // Int32Array over the control object
  #blockSize;
  #blocks;
  #dataAt; // absolute byte offset of block 0
  #list; // Int32Array over the free list's whole Queue, for Rust and the waits
  #listCapacity; // its capacity (the next power of two from `blocks`)
  #watch; // the stamp word a waiting acquire watches (as a Queue consumer does)
  #internals; // what Blocks of this pool object use (see internalsOf)

  /** Bytes a SlabPool of `{ blockSize, blocks }` occupies. */
  static byteLengthFor(spec) {
    const { blockSize, blocks } = specOf(spec);
    return partsOf(blockSize, blocks).byteLength;
  }

  /** Required alignment of `byteOffset`. */
  static get alignment() {
    return native.OBJECT_ALIGN;
  }

  /**
   * A pool of `blocks` blocks of `blockSize` bytes (a multiple of 8), in a new
   * SharedArrayBuffer or at `{ buffer, byteOffset }`. Every block starts free.
   */
  constructor(spec, options) {
    let sizing;
    if (!shared.isOpen(options)) {
      const { blockSize, blocks } = specOf(spec);
      const { byteLength } = partsOf(blockSize, blocks);
      sizing = { param: blocks, elem: 0, initial: blockSize, byteLength };
    }
    const { i32, param: blocks } = shared.setUpSized(this, SlabPool, native.KIND_SLAB, options, sizing);
    const { buffer, byteOffset } = i32;
    this.#c = new Int32Array(buffer, byteOffset, native.objectByteLength(native.KIND_SLAB, blocks, 0) / 4);
    const blockSize = Atomics.load(this.#c, BLOCK_SIZE);
    if (!(blockSize >= 8 && blockSize % 8 === 0)) {
      throw new errors.BadLayoutError(`cannot open a SlabPool: corrupted block size ${blockSize}`);
    }
    const parts = partsOf(blockSize, blocks);
    if (byteOffset + parts.byteLength > buffer.byteLength) {
      throw new errors.BadLayoutError(
        `the buffer is too small: a SlabPool of ${blocks} blocks of ${blockSize} bytes needs ${parts.byteLength} bytes at byteOffset ${byteOffset}`,
      );
    }
    this.#blockSize = blockSize;
    this.#blocks = blocks;
    this.#dataAt = byteOffset + parts.dataAt;
    const queueOptions = { buffer, byteOffset: byteOffset + parts.queueAt };
    const listCapacity = freeCapacity(blocks);
    this.#listCapacity = listCapacity;
    if (sizing) {
      const free = new Queue(Int32Array, listCapacity, queueOptions);
      const all = new Int32Array(blocks);
      for (let i = 0; i < blocks; i++) all[i] = i;
      free.pushMany(all);
    } else {
      const free = Queue.from(queueOptions);
      if (free.Type !== Int32Array || free.capacity !== listCapacity) {
        throw new errors.BadLayoutError('cannot open a SlabPool: corrupted free list');
      }
    }
    this.#list = new Int32Array(buffer, byteOffset + parts.queueAt, Queue.byteLengthFor(Int32Array, listCapacity) / 4);
    this.#watch = stampWordOf(listCapacity);
  }

  /** Reopens a SlabPool received from another thread (or placed at `{ buffer, byteOffset }`). */
  static from(value) {
    return shared.from(SlabPool, value, (options) => new SlabPool(undefined, options));
  }

  /**
   * A free block, owned by the calling thread, or `undefined` when none is
   * free (after reclaiming the blocks of threads that have exited).
   */
  tryAcquire() {
    let id = native.slabAcquire(this.#c, this.#list, this.#listCapacity);
    if (id === NONE_FREE && this.reclaim() > 0) id = native.slabAcquire(this.#c, this.#list, this.#listCapacity);
    return id === NONE_FREE ? undefined : this.#block(id);
  }

  /** A free block, blocking while none is. `{ timeout }`: ERR_SHMKIT_TIMEOUT when it passes. */
  acquire(options) {
    const timeout = validate.timeoutOf(options);
    const block = this.tryAcquire();
    if (block !== undefined) return block;
    // Wait on the free list in rounds, reclaiming between them: a thread that
    // exits holding blocks frees nothing itself. A thread that owns every
    // block would wait for itself (a Block dropped without release() keeps
    // its block until its thread exits).
    const deadline = timeout < 0 ? Infinity : performance.now() + timeout;
    for (;;) {
      if (native.slabAllMine(this.#c)) {
        throw new errors.DeadlockError(
          'SlabPool: this thread owns every block, so a blocking acquire would wait for itself (release or hand off one first; a Block dropped without release() keeps its block until its thread exits)',
        );
      }
      try {
        const id = ring.blockUntil('SlabPool', this.#list, TAIL, CONSUMERS_WAITING, () => this.#attempt(), roundOf(deadline), ring.MPMC.spins, this.#watch);
        return this.#block(id);
      } catch (err) {
        if (!(err instanceof errors.TimeoutError)) throw err;
        if (this.reclaim() === 0 && performance.now() >= deadline) throw this.#timedOut(err);
      }
    }
  }

  /** Resolves with a free block once there is one. `{ timeout, signal }`. */
  async acquireAsync(options) {
    const timeout = validate.timeoutOf(options);
    const signal = validate.signalOf(options);
    if (signal?.aborted) throw signal.reason;
    const block = this.tryAcquire();
    if (block !== undefined) return block;
    const deadline = timeout < 0 ? Infinity : performance.now() + timeout;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      try {
        const id = await ring.blockUntilAsync('SlabPool', this.#list, TAIL, CONSUMERS_WAITING, () => this.#attempt(), roundOf(deadline), signal, this.#watch);
        return this.#block(id);
      } catch (err) {
        if (!(err instanceof errors.TimeoutError) || validate.isAbortOf(signal, err)) throw err;
        if (this.reclaim() === 0 && performance.now() >= deadline) throw this.#timedOut(err);
      }
    }
  }

  /**
   * Gives the blocks still owned by threads that have exited (a worker that
   * crashed or was terminated holding them) back to the pool; returns how
   * many. The acquire forms call it whenever no block is free, so it is only
   * needed for `stats` to show them free at once. Cheap unless a thread has
   * exited since the pool's last reclaim (then it reads every block's words).
   * Blocks handed off and never opened stay handed off: nobody can tell them
   * from blocks still on their way.
   */
  reclaim() {
    const freed = native.slabReclaim(this.#c, this.#list, this.#listCapacity);
    if (freed < 0) throw new errors.BadLayoutError('SlabPool: the free list is full (corrupted)');
    return freed;
  }

  /**
   * Takes ownership of the block whose id another thread (or this one) got
   * from `block.handoff()`. A stale, forged or already opened id throws
   * ERR_SHMKIT_STALE_BLOCK or ERR_SHMKIT_NOT_OWNER, and nothing changes.
   */
  open(id) {
    if (typeof id !== 'number') throw errors.invalidArgType('id', 'a block id (a number)', id);
    if (!Number.isSafeInteger(id) || id < 0) {
      const err = errors.fromStatus(native.STATUS_STALE, `SlabPool block ${id}`);
      if (Number.isInteger(id) && id < 0) {
        // The mark of an id squeezed into 32 bits: ids pass 2^31 after a block's 512th use.
        err.message += ' (block ids are non-negative and grow past 2^31: carry them in a Float64Array Queue or RingBuffer, or a Channel, not an Int32Array)';
      }
      throw err;
    }
    const index = id % SPAN;
    const generation = (id - index) / SPAN;
    const status = native.slabOpen(this.#c, index, generation);
    if (status !== native.STATUS_OK) throw this.#refused(status, id, 'is not handed off: it was opened already, or its owner still holds it');
    return new Block(kBlock, this, index, generation);
  }

  /** Bytes per block. */
  get blockSize() {
    return this.#blockSize;
  }

  /** Number of blocks. */
  get blocks() {
    return this.#blocks;
  }

  /**
   * `{ blocks, free, inUse, handedOff, waiting }` from the shared words (a
   * snapshot). `waiting` counts the acquires parked on the free list (a
   * waiting thread spins for a few microseconds before it parks).
   */
  get stats() {
    const census = native.slabCensus(this.#c);
    const handedOff = census % 2 ** 23;
    const inUse = (census - handedOff) / 2 ** 23 + handedOff;
    return {
      blocks: this.#blocks,
      free: this.#blocks - inUse,
      inUse,
      handedOff,
      waiting: native.ringWaiters(this.#list, native.RING_TAIL_WORD, CONSUMERS_WAITING),
    };
  }

  /** One try of a waiting acquire: a block's id, or undefined when none is free. */
  #attempt() {
    const id = native.slabAcquire(this.#c, this.#list, this.#listCapacity);
    if (id !== NONE_FREE) return id;
    // Nothing closes a free list: a closed one would end every wait at once.
    if (Atomics.load(this.#list, STATE) & CLOSED) throw new errors.BadLayoutError('SlabPool: the free list was closed (corrupted)');
    return undefined;
  }

  /** A Block for `id`, as slabAcquire returned it: the calling thread owns it. */
  #block(id) {
    if (id < 0) throw new errors.BadLayoutError('SlabPool: the free list named a block that is not free (corrupted)');
    const index = id % SPAN;
    return new Block(kBlock, this, index, (id - index) / SPAN);
  }

  #timedOut(err) {
    if (err instanceof errors.TimeoutError) return new errors.TimeoutError('SlabPool: no block became free in time');
    return err;
  }

  #refused(status, id, notOwner) {
    if (status === native.STATUS_NOT_OWNER) return new errors.NotOwnerError(`SlabPool block ${id} ${notOwner}`);
    return errors.fromStatus(status, `SlabPool block ${id}`);
  }

  // For Block: the one place that touches the pool's internals (module-private),
  // made once per pool object.
  static {
    internalsOf = (slab) =>
      (slab.#internals ??= {
        c: slab.#c,
        bytes: (index) => new Uint8Array(slab.#c.buffer, slab.#dataAt + index * slab.#blockSize, slab.#blockSize),
        refused: (status, id, notOwner) => slab.#refused(status, id, notOwner),
        list: slab.#list,
        listCapacity: slab.#listCapacity,
      });
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('SlabPool', #blockSize in this, depth, options, inspect, () => ({ blockSize: this.#blockSize, ...this.stats }));
  }
}

/**
 * One block of a SlabPool, owned by the thread holding this object until it
 * calls `handoff()` or `release()`. Made by the pool, never by `new`.
 */
class Block {
  #pool;
  #index;
  #generation;
  #bytes;
  #state = 'owned'; // 'owned' | 'handed off' | 'released'

  constructor(key, slab, index, generation) {
    if (key !== kBlock) throw errors.illegalConstructor('Block', 'blocks come from slab.acquire() and slab.open()');
    this.#pool = internalsOf(slab);
    this.#index = index;
    this.#generation = generation;
    this.#bytes = this.#pool.bytes(index);
  }

  /** The block's id: after `handoff()`, the number to send to the thread that will `slab.open(id)` it. */
  get id() {
    return this.#generation * SPAN + this.#index;
  }

  /** The block's position in the pool, 0 ..< blocks. */
  get index() {
    return this.#index;
  }

  /** Whether this thread still owns the block through this object. */
  get owned() {
    return this.#state === 'owned';
  }

  /** The block's bytes (a view into the pool's SharedArrayBuffer); throws once handed off or released. */
  get bytes() {
    this.#check();
    return this.#bytes;
  }

  /** Gives up ownership for a hand-off: returns the id the receiver opens. This object becomes unusable. */
  handoff() {
    this.#check();
    const generation = native.slabHandoff(this.#pool.c, this.#index, this.#generation);
    if (generation < 0) throw this.#pool.refused(-generation, this.id, 'is not owned by this thread');
    this.#state = 'handed off';
    this.#bytes = null;
    this.#generation = generation; // each hand-off has an id of its own
    return this.id;
  }

  /** Returns the block to the pool. This object becomes unusable. */
  release() {
    this.#check();
    // Freed and pushed onto the free list in one native call (see the top of this file).
    const status = native.slabRelease(this.#pool.c, this.#pool.list, this.#pool.listCapacity, this.#index, this.#generation);
    if (status !== native.STATUS_OK && status !== native.STATUS_BAD_LAYOUT) throw this.#pool.refused(status, this.id, 'is not owned by this thread');
    this.#state = 'released';
    this.#bytes = null;
    if (status === native.STATUS_BAD_LAYOUT) throw new errors.BadLayoutError('SlabPool: the free list is full (corrupted)');
  }

  /** `release()` if still owned, for `using block = slab.acquire()`. */
  [Symbol.dispose]() {
    if (this.#state === 'owned') this.release();
  }

  #check() {
    if (this.#state !== 'owned') throw new errors.NotOwnerError(`SlabPool block ${this.id}: this thread ${this.#state === 'released' ? 'released it' : 'handed it off'}`);
  }

  [inspectSymbol](depth, options, inspect) {
    return inspected('Block', #index in this, depth, options, inspect, () => ({ id: this.id, index: this.#index, state: this.#state }));
  }
}

shared.register(SlabPool);

module.exports = { SlabPool, Block };
