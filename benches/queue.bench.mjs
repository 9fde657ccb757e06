// Queue benchmarks: MPMC throughput, 2 producer workers + 2 consumer workers
// on one shmkit Queue<Float64>, against npm `multithreading`'s channel()
// (bounded MPMC channel of JSON values; see peers.mjs) in the same shape.
// Both sides use their blocking forms and end the same way (the last producer
// closes; consumers drain until closed), and both are checked for
// exactly-once delivery and per-producer order.

import os from 'node:os';
import { Queue } from '../index.mjs';
import { runWorkers, newControl, overlapShare, scaledCount, settle, failedRow } from './harness.mjs';
import { loadMultithreading, runPeerTasksEach } from './peers.mjs';

const MPMC_WORKER = new URL('./workers/queue-mpmc.mjs', import.meta.url);
const PRODUCERS = 2;
const CONSUMERS = 2;
const CAPACITY = 1024;
const ITEMS = 1_000_000; // per producer
const WARMUP = 100_000; // per producer, on a queue of its own, before the timed round
const SHMKIT_RUNS = 5; // 4 threads on few cores: runs vary, report the median
const PEER_PILOT = 20_000; // per producer: warms multithreading's pool and sizes its run
const PEER_BUDGET_S = 10;
const TIMEOUT_MS = 120_000;

const fmt = (n) => n.toLocaleString('en-US');
const pct = (share) => `${(share * 100).toFixed(0)}%`;

/**
 * Adds up the consumers' reports: every value 0 .. P*n-1 exactly once, the
 * count and the checksum, and no producer's values out of order.
 */
function tally(consumers, n) {
  const total = PRODUCERS * n;
  const counts = new Uint8Array(total);
  for (const c of consumers) {
    const seen = c.seen;
    for (let v = 0; v < total; v++) counts[v] += seen[v];
  }
  let missing = 0;
  let duplicated = 0;
  for (let v = 0; v < total; v++) {
    if (counts[v] === 0) missing++;
    else if (counts[v] > 1) duplicated++;
  }
  const got = consumers.reduce((s, c) => s + c.got, 0);
  const sum = consumers.reduce((s, c) => s + c.sum, 0);
  return {
    got,
    perConsumer: consumers.map((c) => c.got),
    sumOk: sum === (total * (total - 1)) / 2,
    missing,
    duplicated,
    outOfOrder: consumers.reduce((s, c) => s + c.outOfOrder, 0),
  };
}

function exactlyOnce(who, runs, n) {
  const total = PRODUCERS * n;
  return {
    name: `${who} exactly once`,
    ok: runs.every((r) => r.got === total && r.missing === 0 && r.duplicated === 0 && r.sumOk && r.outOfOrder === 0),
    detail:
      `${runs.length} run(s) × ${fmt(total)} items; received ${runs.map((r) => fmt(r.got)).join(' / ')}; ` +
      `missing ${runs.map((r) => r.missing).join('/')}, duplicated ${runs.map((r) => r.duplicated).join('/')}, ` +
      `checksum ${runs.every((r) => r.sumOk) ? 'ok' : 'WRONG'}, out of per-producer order ${runs.map((r) => r.outOfOrder).join('/')}`,
  };
}

/**
 * The same exactly-once check for multithreading, as a note rather than a
 * check: a failure there is the peer's bug, not shmkit's, and must not turn
 * the shmkit row into FAIL. (multithreading 0.3.52's channel loses a few
 * items and delivers as many others twice in most runs of 100,000+ items;
 * reproduced outside this bench with 1 or 2 senders and 1 or 2 receivers.)
 */
function peerDelivery(runs, ns) {
  const bad = runs.filter((r, i) => !exactlyOnce('', [r], ns[i]).ok);
  const detail = runs.map((r, i) => `${i === 0 ? 'pilot' : 'run'}: ${exactlyOnce('', [r], ns[i]).detail}`).join('; ');
  return bad.length === 0
    ? `multithreading delivered every item exactly once (${detail}).`
    : `PEER BUG — multithreading's channel did NOT deliver exactly once (${detail}). Its figure is still the one compared. Reproduced outside the bench with 1 or 2 senders and 1 or 2 receivers (runs of 100,000-200,000 items per sender: in most runs 1-7 items lost and as many delivered twice); cause not investigated (its items live in a SharedJsonBuffer, and each thread keeps its own caches over it).`;
}

async function shmkitRun(n) {
  const queue = new Queue(Float64Array, CAPACITY);
  const done = new Int32Array(new SharedArrayBuffer(4));
  const warm = { queue: new Queue(Float64Array, CAPACITY), done: new Int32Array(new SharedArrayBuffer(4)) };
  const ctl = newControl();
  const common = { P: PRODUCERS, n, queue, done, warm, warmN: WARMUP, ctl };
  const datas = [
    ...Array.from({ length: PRODUCERS }, (_, id) => ({ ...common, role: 'producer', id })),
    ...Array.from({ length: CONSUMERS }, (_, id) => ({ ...common, role: 'consumer', id })),
  ];
  const { results, seconds } = await runWorkers(MPMC_WORKER, ctl, datas, TIMEOUT_MS);
  const t = tally(results.filter((r) => r.role === 'consumer'), n);
  return { seconds, itemsPerSec: (PRODUCERS * n) / seconds, overlap: overlapShare(results), ...t };
}

// multithreading's side, in its pool (spawn() stringifies it: self-contained).
// The task is a producer when handed a Sender, a consumer when handed a
// Receiver. Same loops, with blockingSend(v) / blockingRecv().
function peerQueueTask(handle, { ctl, ids, done, P, n }) {
  const producer = typeof handle.blockingSend === 'function';
  const id = Atomics.add(ids, producer ? 0 : 1, 1);
  Atomics.add(ctl, 0, 1);
  while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
  const start = process.hrtime.bigint();
  if (producer) {
    for (let i = 0; i < n; i++) {
      const r = handle.blockingSend(i * P + id);
      if (!r.ok) throw r.error;
    }
    if (Atomics.add(done, 0, 1) === P - 1) handle.close();
    return { role: 'producer', id, start, end: process.hrtime.bigint() };
  }
  const seen = new Uint8Array(P * n);
  const last = new Float64Array(P).fill(-1);
  let got = 0;
  let sum = 0;
  let outOfOrder = 0;
  for (;;) {
    const r = handle.blockingRecv();
    if (!r.ok) {
      if (String(r.error?.message).startsWith('Channel closed')) break;
      throw r.error;
    }
    const v = r.value;
    got++;
    sum += v;
    const p = v % P;
    if (v <= last[p]) outOfOrder++;
    last[p] = v;
    seen[v]++;
  }
  return { role: 'consumer', id, start, end: process.hrtime.bigint(), got, sum, outOfOrder, seen };
}

async function peerRun(mt, n) {
  const [tx, rx] = mt.channel(CAPACITY);
  const senders = [tx, ...Array.from({ length: PRODUCERS - 1 }, () => tx.clone())];
  const receivers = [rx, ...Array.from({ length: CONSUMERS - 1 }, () => rx.clone())];
  const ctl = newControl();
  const config = { ctl, ids: new Int32Array(new SharedArrayBuffer(8)), done: new Int32Array(new SharedArrayBuffer(4)), P: PRODUCERS, n };
  const argsList = [...senders, ...receivers].map((h) => [h, config]);
  const { results, seconds } = await runPeerTasksEach(argsList, peerQueueTask, ctl, TIMEOUT_MS);
  const t = tally(results.filter((r) => r.role === 'consumer'), n);
  return { seconds, itemsPerSec: (PRODUCERS * n) / seconds, overlap: overlapShare(results), ...t };
}

/** Runs the Queue group; returns its settled rows. */
export async function queueBenches() {
  const mt = await loadMultithreading();
  const cores = os.availableParallelism();
  const row = {
    id: 'queue.mpmc.vs-multithreading-channel',
    name: `Queue<Float64> ${PRODUCERS} producers + ${CONSUMERS} consumers (workers), push/pop vs multithreading channel`,
    unit: 'ops/s',
    compare: 'speed',
    target: 10,
  };
  try {
    const runs = [];
    for (let i = 0; i < SHMKIT_RUNS; i++) runs.push(await shmkitRun(ITEMS));
    const shmkit = [...runs].sort((a, b) => a.itemsPerSec - b.itemsPerSec)[runs.length >> 1];
    const pilot = await peerRun(mt, PEER_PILOT);
    const { count: peerN, predictedS } = scaledCount(ITEMS, PRODUCERS, pilot.itemsPerSec, PEER_BUDGET_S, 5_000);
    const peer = await peerRun(mt, peerN);
    return [
      settle({
      ...row,
      shmkit: shmkit.itemsPerSec,
      peer: peer.itemsPerSec,
      notes: [
        `Items/s = ${PRODUCERS} × items per producer ÷ the span from the first thread's start to the last thread's end. ` +
          `${PRODUCERS + CONSUMERS} worker threads on ${cores} cores: they take turns on the CPUs, so this measures the queue under contention (and sleeping/waking), not only its per-item cost. Capacity ${fmt(CAPACITY)} on both sides.`,
        `shmkit: Queue(Float64Array, ${CAPACITY}) shared by ${PRODUCERS + CONSUMERS} worker_threads (benches/workers/queue-mpmc.mjs). Producer k pushes v = i × ${PRODUCERS} + k, i < ${fmt(ITEMS)}, with the blocking q.push(v); ` +
          'the last producer to finish calls q.close(); consumers loop on q.pop() until it returns undefined (closed and drained). ' +
          `Per item a consumer also counts, sums, marks v in a private Uint8Array (merged afterwards: exactly once) and checks per-producer order. After a warm-up round of ${fmt(WARMUP)} items per producer on a queue of its own. ` +
          `Median of ${SHMKIT_RUNS} runs: ${runs.map((r) => `${(r.itemsPerSec / 1e6).toFixed(2)} M/s (consumers ${r.perConsumer.map(fmt).join(' + ')}; all 4 in loop ${pct(r.overlap)})`).join(', ')}.`,
        `multithreading: const [tx, rx] = channel(${CAPACITY}); tx.clone() / rx.clone() so each of ${PRODUCERS + CONSUMERS} tasks of its pool gets its own handle through spawn(move(handle, config), task) (its handles reach other threads only that way). ` +
          'Same loops with tx.blockingSend(v) / rx.blockingRecv() (until it reports "Channel closed"), the last producer calls tx.close(). ' +
          `Warm-up: a pilot run of ${fmt(PEER_PILOT)} items per producer (${(pilot.itemsPerSec / 1e3).toFixed(1)} k/s), which also sizes the run: ` +
          `${fmt(peerN)} items per producer in ${peer.seconds.toFixed(2)} s (all 4 in loop ${pct(peer.overlap)}; consumers ${peer.perConsumer.map(fmt).join(' + ')})` +
          (peerN === ITEMS ? '.' : ` — SCALED DOWN from ${fmt(ITEMS)} (predicted ${predictedS.toFixed(0)} s); rates are compared.`),
        peerDelivery([pilot, peer], [PEER_PILOT, peerN]),
      ],
      checks: [exactlyOnce(`shmkit (${SHMKIT_RUNS} runs)`, runs, ITEMS)],
      details: {
        capacity: CAPACITY,
        itemsPerProducer: ITEMS,
        shmkitRuns: runs,
        peerItemsPerProducer: peerN,
        peer,
        peerPilot: pilot,
      },
      }),
    ];
  } catch (err) {
    return [failedRow(row, err)];
  }
}
