// A child process for one information row of pool.bench.mjs: the 64 KiB
// BufferPool comparison run again on a runtime where ArrayBuffer.prototype
// .transfer exists (Node 20 started with --harmony-rab-gsab-transfer, the
// form Node 21 and later ship by default), so that release() detaches with
// transfer() instead of a structuredClone transfer. The pool uses transfer()
// only where worker_threads.isMarkedAsUntransferable exists too (Node >= 21);
// on Node 20 this child stands one in that says "not marked" (true of every
// buffer these loops release), so that it times what Node >= 21 runs. Prints
// one JSON line: { hasTransfer, version, timing } with timing as timeOps
// returns it.

import { createRequire } from 'node:module';

const workerThreads = createRequire(import.meta.url)('node:worker_threads');
workerThreads.isMarkedAsUntransferable ??= () => false;
const { BufferPool } = await import('../../index.mjs');
const { timeOps } = await import('../harness.mjs');
const { loops, TIMING } = await import('../pool.bench.mjs');

const bytes = Number(process.argv[2]);
const hasTransfer = typeof ArrayBuffer.prototype.transfer === 'function';
const pool = new BufferPool();
const timing = await timeOps(loops(pool, bytes), { ...TIMING, minIterations: 1_000 });
process.stdout.write(`${JSON.stringify({ hasTransfer, version: process.version, timing })}\n`);
