// The hybrid design: a small shared *control plane* says what to do, a
// *data plane* holds the bytes. Here both are shared memory:
//
//   data plane:    a SlabPool, one SharedArrayBuffer cut into fixed-size
//                  blocks. Only a block's current owner touches its bytes.
//   control plane: a Queue of block ids (Float64Array: ids can exceed 2^32).
//                  Pushing an id moves the ownership of that block.
//
// The main thread takes a free block, writes a job into it, hands it off
// (`block.handoff()` gives the id; the block is no longer usable here) and
// pushes the id. A worker pops the id, `slab.open(id)` makes it the owner,
// it processes the bytes and `release()`s the block back to the pool. With
// only a few blocks, the main thread waits in `acquireAsync` while all are in
// use: the pool itself is the backpressure. No bytes are ever copied.
//
// Run: node examples/hybrid.mjs
// Prints `jobs <n> through <b> blocks checked <n> ok`,
// `checksum <s> expected <s> ok` and `slab free <b> inUse 0 ok`.
import { isMainThread, workerData } from 'node:worker_threads';
import { Queue, SlabPool, attach } from 'shmkit';
import { runWorker } from './lib/run-worker.mjs';

const JOBS = 200;
const BLOCKS = 8;
const BLOCK_SIZE = 64 * 1024;
const WORKERS = 2;

if (isMainThread) {
  const slab = new SlabPool({ blockSize: BLOCK_SIZE, blocks: BLOCKS });
  const ids = new Queue(Float64Array, 16); // the control plane
  const sums = new Float64Array(new SharedArrayBuffer(JOBS * 8)); // sums[job], written by the workers

  const workers = Array.from({ length: WORKERS }, () => run({ slab, ids, sums }));

  for (let job = 0; job < JOBS; job++) {
    const block = await slab.acquireAsync({ timeout: 10_000 }); // waits while every block is in use
    writeJob(block.bytes, job); // we own it: write freely
    const id = block.handoff(); // give it up; from now on only the id matters
    await ids.pushAsync(id, { timeout: 10_000 });
  }
  ids.close(); // no more jobs: the workers drain the queue and exit
  await Promise.all(workers);

  let checked = 0, total = 0, expectedTotal = 0;
  for (let job = 0; job < JOBS; job++) {
    const expected = expectedSum(job);
    if (sums[job] === expected) checked++;
    total += sums[job];
    expectedTotal += expected;
  }
  const { free, inUse } = slab.stats;
  console.log(`jobs ${JOBS} through ${BLOCKS} blocks checked ${checked} ${checked === JOBS ? 'ok' : 'FAILED'}`);
  console.log(`checksum ${total} expected ${expectedTotal} ${total === expectedTotal ? 'ok' : 'FAILED'}`);
  const slabOk = free === BLOCKS && inUse === 0;
  console.log(`slab free ${free} inUse ${inUse} ${slabOk ? 'ok' : 'FAILED'}`);
  if (checked !== JOBS || total !== expectedTotal || !slabOk) process.exitCode = 1;
} else {
  const { slab, ids, sums } = attach(workerData); // the same slab and queue, revived
  for (const id of ids) {
    const block = slab.open(id); // now this thread owns the block
    const { job, sum } = readJob(block.bytes);
    sums[job] = sum;
    block.release(); // back to the pool: the main thread may acquire it again
  }
}

/** A job: its number in the first 4 bytes, then a pattern. */
function writeJob(bytes, job) {
  new DataView(bytes.buffer, bytes.byteOffset, 4).setUint32(0, job);
  for (let i = 4; i < bytes.length; i++) bytes[i] = (i + job * 13) & 0xff;
}

/** The worker's work: which job, and the sum of its pattern bytes. */
function readJob(bytes) {
  const job = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  let sum = 0;
  for (let i = 4; i < bytes.length; i++) sum += bytes[i];
  return { job, sum };
}

/** What the sum of job `job` must be. */
function expectedSum(job) {
  let sum = 0;
  for (let i = 4; i < BLOCK_SIZE; i++) sum += (i + job * 13) & 0xff;
  return sum;
}

/** Starts this file as a worker; resolves when it exits cleanly. */
function run(data) {
  return runWorker(import.meta.url, data);
}
