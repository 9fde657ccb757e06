// The ceiling for the single-value RingBuffer rows: a minimal hand-written
// plain-JS SPSC ring of Float64 values, with the same protocol shmkit's
// RingBuffer uses (lib/ring.js) and nothing else:
//   - head (consumer's index) and tail (producer's index) are free-running
//     int32 counters in an Int32Array, on cache lines of their own (bytes 64
//     and 128, as shmkit's RING_HEAD_WORD / RING_TAIL_WORD), slots from byte 256;
//   - capacity a power of two, slot = index & mask;
//   - each side reads its own index with Atomics.load, caches the other side's
//     index in a plain field and re-reads it (Atomics.load) only when the ring
//     looks full (producer) or empty (consumer);
//   - the slot is written/read with a plain typed-array access, then the own
//     index is published with Atomics.store.
// What it leaves out, compared with shmkit's tryPush/tryPop: the value type
// check, the closed bit, the sleeping-waiter bits (and so any blocking form),
// and private fields (these are public ones).

const HEAD = 16; // Int32 word index: byte 64
const TAIL = 32; // byte 128
const DATA = 256;

export class PlainRing {
  static byteLengthFor(capacity) {
    return DATA + capacity * 8;
  }

  /** `sab` from `new SharedArrayBuffer(PlainRing.byteLengthFor(capacity))`, capacity a power of two. */
  constructor(sab, capacity) {
    this.c = new Int32Array(sab, 0, DATA / 4);
    this.slots = new Float64Array(sab, DATA, capacity);
    this.cap = capacity;
    this.mask = capacity - 1;
    this.headCache = 0; // producer's view of head
    this.tailCache = 0; // consumer's view of tail
  }

  tryPush(v) {
    const c = this.c;
    const t = Atomics.load(c, TAIL);
    if ((t - this.headCache) >>> 0 >= this.cap) {
      this.headCache = Atomics.load(c, HEAD);
      if ((t - this.headCache) >>> 0 >= this.cap) return false;
    }
    this.slots[t & this.mask] = v;
    Atomics.store(c, TAIL, (t + 1) | 0);
    return true;
  }

  tryPop() {
    const c = this.c;
    const h = Atomics.load(c, HEAD);
    if (this.tailCache === h) {
      this.tailCache = Atomics.load(c, TAIL);
      if (this.tailCache === h) return undefined;
    }
    const v = this.slots[h & this.mask];
    Atomics.store(c, HEAD, (h + 1) | 0);
    return v;
  }
}
