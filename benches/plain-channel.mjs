// The ceiling for the Channel one-way rows: a minimal hand-written plain-JS
// byte-message ring, single producer and single consumer, with the layout and
// protocol shmkit's Channel uses (lib/channel.js) and nothing else:
//   - head (receiver's byte position) and tail (sender's) are free-running
//     int32 counters on cache lines of their own (bytes 64 and 128), the ring
//     from byte 256, its size a power of two;
//   - a message is [u32 length][payload], the length 4-aligned, the payload
//     padded to 4 bytes and wrapping around the end of the ring;
//   - each side caches the other's position in a plain field and re-reads it
//     (Atomics.load) only when the ring looks full (sender) or empty
//     (receiver), spinning until it changes;
//   - the payload is written with one set(), read with one slice() (a fresh
//     Uint8Array, as Channel.recv() returns), and the own position is
//     published with Atomics.store: the sender's after every message, the
//     receiver's in steps, as a Channel's claimed receiver does (once it is
//     1/16 of the ring past the published one, or has taken every message it
//     knows of), so that the sender, which watches the head while the ring is
//     full, does not lose its cache line at every message.
// What it leaves out, compared with a Channel's claimed ends: argument checks,
// the closed bit, the sleeping-waiter bits (it only spins, so it has no
// blocking forms and burns a CPU while it waits), the staleness tokens, the
// receiver's unpublished position (a Channel's claimed receiver stores it at
// every message and looks at the head for a sleeping sender), and private
// fields.

const HEAD = 16; // Int32 word index: byte 64
const TAIL = 32; // byte 128
const DATA = 256;

export class PlainByteRing {
  static byteLengthFor(capacity) {
    return DATA + capacity;
  }

  /** `sab` from `new SharedArrayBuffer(PlainByteRing.byteLengthFor(capacity))`, capacity a power of two. */
  constructor(sab, capacity) {
    this.c = new Int32Array(sab, 0, DATA / 4);
    this.bytes = new Uint8Array(sab, DATA, capacity);
    this.words = new Int32Array(sab, DATA, capacity / 4);
    this.cap = capacity;
    this.mask = capacity - 1;
    this.headCache = 0; // sender's view of head
    this.tailCache = 0; // receiver's view of tail
    this.head = 0; // receiver's position
    this.published = 0; // receiver's position as last published
    this.step = capacity >> 4;
  }

  /** Sends `msg` (a Uint8Array of at most capacity - 4 bytes), spinning while it does not fit. */
  send(msg) {
    const c = this.c;
    const t = Atomics.load(c, TAIL);
    const need = 4 + ((msg.length + 3) & ~3);
    while (this.cap - (t - this.headCache) < need) this.headCache = Atomics.load(c, HEAD);
    const at = t & this.mask;
    this.words[at >> 2] = msg.length;
    const p = (at + 4) & this.mask;
    const first = this.cap - p;
    if (msg.length <= first) this.bytes.set(msg, p);
    else {
      this.bytes.set(msg.subarray(0, first), p);
      this.bytes.set(msg.subarray(first), 0);
    }
    Atomics.store(c, TAIL, (t + need) | 0);
  }

  /** The next message (a fresh Uint8Array), spinning while there is none. */
  recv() {
    const c = this.c;
    const h = this.head;
    if (this.tailCache === h) {
      if (this.published !== h) Atomics.store(c, HEAD, (this.published = h));
      while (this.tailCache === h) this.tailCache = Atomics.load(c, TAIL);
    }
    const at = h & this.mask;
    const len = this.words[at >> 2];
    const p = (at + 4) & this.mask;
    let out;
    if (p + len <= this.cap) out = this.bytes.slice(p, p + len);
    else {
      out = new Uint8Array(len);
      const first = this.cap - p;
      out.set(this.bytes.subarray(p, this.cap), 0);
      out.set(this.bytes.subarray(0, len - first), first);
    }
    const next = (h + 4 + ((len + 3) & ~3)) | 0;
    this.head = next;
    if (next === this.tailCache || ((next - this.published) | 0) >= this.step) Atomics.store(c, HEAD, (this.published = next));
    return out;
  }
}
