// A worker pool that moves buffers instead of copying them. The main thread
// fills a buffer, *transfers* it to a worker (`postMessage(msg, [buf])`: no
// copy, the main thread's handle is detached), the worker processes it in
// place and transfers it back. Allocating a fresh 256 KiB ArrayBuffer per job
// is work for the allocator and the garbage collector, so the buffers come
// from a shmkit BufferPool: `acquire` hands out a recycled buffer when one of
// that size is free, and `release` takes one back (even one that went to
// another thread and returned).
//
// Run: node examples/worker-pool-transfer.mjs
// Prints `jobs <n> verified <n> ok`, the detached handle's byteLength, and
// `pool hits <h> misses <m> outstanding 0 ok`.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { once } from 'node:events';
import { BufferPool } from 'shmkit';

const JOBS = 64;
const WORKERS = 2;
const SIZE = 256 * 1024; // bytes per job

if (isMainThread) {
  const pool = new BufferPool(); // one per thread: it recycles this thread's buffers
  const workers = Array.from({ length: WORKERS }, () => new Worker(new URL(import.meta.url)));
  for (const worker of workers) worker.on('error', (err) => { console.error(err); process.exit(1); });

  let nextJob = 0;
  let verified = 0;
  let handleAfterTransfer;

  /** One lane per worker: send it a job, wait for the answer, check it, repeat. */
  async function lane(worker) {
    while (nextJob < JOBS) {
      const job = nextJob++;
      const buf = pool.acquire(SIZE); // recycled after the first round
      fill(new Uint8Array(buf), job);
      worker.postMessage({ job, buf }, [buf]); // move it: no copy
      handleAfterTransfer ??= buf.byteLength; // 0: this handle is detached now

      const [reply] = await once(worker, 'message'); // the same memory, moved back
      if (reply.job === job && check(new Uint8Array(reply.buf), job, reply.sum)) verified++;
      pool.release(reply.buf); // back to *this* thread's pool, ready for the next job
    }
  }
  await Promise.all(workers.map(lane));
  await Promise.all(workers.map((w) => w.terminate()));

  const { hits, misses, outstanding } = pool.stats;
  console.log(`jobs ${JOBS} verified ${verified} ${verified === JOBS ? 'ok' : 'FAILED'}`);
  console.log(`sender handle after transfer byteLength ${handleAfterTransfer}`);
  const poolOk = outstanding === 0 && hits + misses === JOBS;
  console.log(`pool hits ${hits} misses ${misses} outstanding ${outstanding} ${poolOk ? 'ok' : 'FAILED'}`);
  if (verified !== JOBS || !poolOk) process.exitCode = 1;
} else {
  // The worker: sum the bytes, invert them in place, send the buffer back.
  parentPort.on('message', ({ job, buf }) => {
    const bytes = new Uint8Array(buf);
    let sum = 0;
    for (let i = 0; i < bytes.length; i++) {
      sum += bytes[i];
      bytes[i] = 255 - bytes[i];
    }
    parentPort.postMessage({ job, buf, sum }, [buf]); // move it back
  });
}

/** The job's input: a pattern that depends on the job number. */
function fill(bytes, job) {
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + job) & 0xff;
}

/** True if the worker's sum is right and every byte was inverted. */
function check(bytes, job, sum) {
  let expected = 0;
  for (let i = 0; i < bytes.length; i++) {
    const input = (i * 7 + job) & 0xff;
    expected += input;
    if (bytes[i] !== 255 - input) return false;
  }
  return bytes.length === SIZE && sum === expected;
}
