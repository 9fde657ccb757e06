// A data structure in shared memory, guarded by a lock. The hand-written
// version spins on an Atomics.compareExchange lock word; here the lock is a
// shmkit Mutex placed *inside the stack's own SharedArrayBuffer*, so one
// buffer carries both the data and its lock:
//
//   byte 0            24       28         32
//        +------------+--------+----------+-------------------------+
//        | Mutex      | length | capacity | slots (Int32 each) ...  |
//        +------------+--------+----------+-------------------------+
//
// Several workers push and pop at the same time. At the end, the items the
// workers popped plus the items left on the stack must be exactly the items
// pushed: none lost, none twice.
//
// Run: node examples/locked-stack.mjs
// Prints `pushed <n> popped <p> left <l> lost 0 duplicated 0 ok`.
import { isMainThread, workerData, parentPort } from 'node:worker_threads';
import { Mutex } from 'shmkit';
import { runWorker } from './lib/run-worker.mjs';

const WORKERS = 3;
const ROUNDS = 10_000; // per worker, each round pushes two items and pops one

class SharedStack {
  static #LENGTH = Mutex.byteLength / 4; // word index of `length` (24 bytes in)
  static #DATA = Mutex.byteLength + 8; // byte offset of slot 0

  /** A new, empty stack with room for `capacity` items. */
  static create(capacity) {
    const buffer = new SharedArrayBuffer(SharedStack.#DATA + capacity * 4);
    const lock = new Mutex({ buffer, byteOffset: 0 }); // creates a Mutex at byte 0 of our buffer
    const stack = new SharedStack(buffer, lock);
    stack.#words[SharedStack.#LENGTH + 1] = capacity;
    return stack;
  }

  /** The same stack, in another thread: opens (does not re-create) the Mutex. */
  static open(buffer) {
    return new SharedStack(buffer, Mutex.from({ buffer, byteOffset: 0 }));
  }

  #lock;
  #words;
  #slots;

  constructor(buffer, lock) {
    this.buffer = buffer; // what to send to other threads
    this.#lock = lock;
    this.#words = new Int32Array(buffer);
    this.#slots = new Int32Array(buffer, SharedStack.#DATA);
  }

  /** Pushes `item`; false if the stack is full. */
  push(item) {
    return this.#lock.withLock(() => {
      // Under the lock, plain reads and writes are safe: nobody else is here,
      // and unlocking publishes them to the next thread that locks.
      const n = this.#words[SharedStack.#LENGTH];
      if (n === this.#words[SharedStack.#LENGTH + 1]) return false;
      this.#slots[n] = item;
      this.#words[SharedStack.#LENGTH] = n + 1;
      return true;
    });
  }

  /** Pops the newest item, or undefined if the stack is empty. */
  pop() {
    return this.#lock.withLock(() => {
      const n = this.#words[SharedStack.#LENGTH];
      if (n === 0) return undefined;
      this.#words[SharedStack.#LENGTH] = n - 1;
      return this.#slots[n - 1];
    });
  }
}

if (isMainThread) {
  const pushed = WORKERS * ROUNDS * 2;
  const stack = SharedStack.create(pushed); // room for everything: push never fails here
  const poppedLists = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) => run({ buffer: stack.buffer, worker: w })),
  );

  // Count every item seen: popped by a worker, or still on the stack.
  const seen = new Uint8Array(pushed);
  let popped = 0;
  for (const list of poppedLists) {
    for (const item of list) seen[item]++;
    popped += list.length;
  }
  let left = 0;
  for (let item; (item = stack.pop()) !== undefined; left++) seen[item]++;

  let lost = 0, duplicated = 0;
  for (const times of seen) {
    if (times === 0) lost++;
    if (times > 1) duplicated++;
  }
  const ok = lost === 0 && duplicated === 0 && popped + left === pushed;
  console.log(`pushed ${pushed} popped ${popped} left ${left} lost ${lost} duplicated ${duplicated} ${ok ? 'ok' : 'FAILED'}`);
  if (!ok) process.exitCode = 1;
} else {
  const stack = SharedStack.open(workerData.buffer);
  const first = workerData.worker * ROUNDS * 2; // this worker's items are first, first + 1, ...
  const popped = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (!stack.push(first + 2 * i) || !stack.push(first + 2 * i + 1)) throw new Error('stack full');
    const item = stack.pop(); // may be another worker's item: that is fine
    if (item !== undefined) popped.push(item);
  }
  parentPort.postMessage(Int32Array.from(popped));
}

/** Starts this file as a worker; resolves with its one message once it exits cleanly. */
function run(data) {
  return runWorker(import.meta.url, data);
}
