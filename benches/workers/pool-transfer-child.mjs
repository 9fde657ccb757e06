// A child process for one information row of pool.bench.mjs: the 64 KiB
// BufferPool comparison run again on a runtime where ArrayBuffer.prototype
// .transfer exists (Node 20 started with --harmony-rab-gsab-transfer, the
// form Node 21 and later ship by default), so that release() detaches with
// ab.transfer() instead of a structuredClone transfer. Prints one JSON line:
// { hasTransfer, version, timing } with timing as timeOps returns it.

import { BufferPool } from '../../index.mjs';
import { timeOps } from '../harness.mjs';
import { loops, TIMING } from '../pool.bench.mjs';

const bytes = Number(process.argv[2]);
const hasTransfer = typeof ArrayBuffer.prototype.transfer === 'function';
const pool = new BufferPool();
const timing = await timeOps(loops(pool, bytes), { ...TIMING, minIterations: 1_000 });
process.stdout.write(`${JSON.stringify({ hasTransfer, version: process.version, timing })}\n`);
