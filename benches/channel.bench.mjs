// Channel benchmarks: 64-byte messages between two worker threads, shmkit's
// Channel against postMessage over a MessageChannel between the same two
// workers (worker to worker, not through the main thread; the Uint8Array is
// copied by structured clone, not transferred).
//   stream:      A sends n messages one way, B receives them all (messages/s);
//                also through a hand-written plain-JS byte ring with the
//                Channel's layout and protocol, the ceiling (plain-channel.mjs);
//   256 bytes:   the stream with 256-byte messages, received with recv() (a
//                fresh array each) and with recvInto() (one reused target),
//                for information: V8 allocates a Uint8Array of more than 64
//                bytes outside its heap, which costs more than the copy;
//   values:      small JS objects one way, with sendValue/recvValue (node:v8
//                serialization), as JSON strings, and with postMessage, for
//                information;
//   round trip:  A sends 64 bytes, B answers 64 bytes over a second Channel
//                (or the same port), A receives; µs per round trip.
// Every run is a fresh pair of worker_threads (workers/channel-pair.mjs) that
// puts both contenders through the same two threads in turn (order rotated
// from run to run), after a warm-up of each. Where the two threads run matters
// (see condvar.bench.mjs), so they are pinned with taskset: A to CPU 0 and B to
// CPU 1, and, for information, both to CPU 0.

import os from 'node:os';
import { Channel } from '../index.mjs';
import { runPair, settle, failedRow } from './harness.mjs';
import { PlainByteRing } from './plain-channel.mjs';

const PAIR_WORKER = new URL('./workers/channel-pair.mjs', import.meta.url);
const STREAM_N = 500_000; // messages per stream run, both contenders
const STREAM_WARMUP = 2_000_000; // every mode: V8 re-optimizes the send and receive paths as their rarer branches (a wrap, a wake) first run, over the first ~1.5 M messages
const STREAM_RUNS = 5; // a Channel run is short (~50 ms): the median of 5 keeps one slow period from deciding the row
const ROUND_TRIPS = 20_000;
const RTT_WARMUP = 2_000;
const RTT_RUNS = 5; // own CPUs: report the median run
const SHARED_RUNS = 3; // one CPU (information)
const TIMEOUT_MS = 120_000;

const STREAM_MODES = ['channelStreamExclusive', 'channelStream', 'plainStream', 'postMessageStream', 'linePingPong'];
// The probe of each stream run: round trips of a cache line between the two
// threads (workers/channel-pair.mjs linePingPong), the machine's state for that run.
const PROBE_N = 100_000;
const LARGE_MODES = ['channelStream256', 'channelInto256', 'postMessageStream256'];
const LARGE_N = 200_000;
const LARGE_WARMUP = 400_000;
const INFO_RUNS = 3; // information rows
const VALUE_MODES = ['channelValues', 'channelJson', 'postMessageValues'];
const VALUE_N = 50_000;
const VALUE_WARMUP = 50_000;
const PLAIN_BYTES = 64 * 1024; // the hand-written ring's size: the Channel's default
const RTT_MODES = ['channelRtt', 'postMessageRtt'];

const fmt = (n) => n.toLocaleString('en-US');
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Fresh objects for `mode`, as they travel in workerData. */
function objectsFor(mode) {
  if (['channelStream', 'channelStreamExclusive', 'channelStream256', 'channelInto256', 'channelValues', 'channelJson'].includes(mode)) return { ch: new Channel() };
  if (mode === 'channelRtt') return { req: new Channel(), resp: new Channel() };
  if (mode === 'linePingPong') return { sab: new SharedArrayBuffer(128) };
  if (mode === 'plainStream') return { sab: new SharedArrayBuffer(PlainByteRing.byteLengthFor(PLAIN_BYTES)), cap: PLAIN_BYTES };
  return {}; // postMessage modes use the port pair
}

/**
 * One run: A and B (pinned to `cpus`) run every mode of `modes` (order
 * rotated by `r`), `n` messages or round trips each. Returns per mode:
 * messages/s (from the earlier start to the later end: B's last receive) and
 * µs per round trip (A's time / n), out-of-order messages, and both threads'
 * context switches.
 */
async function pairRun(modes, r, n, warmup, cpus) {
  const order = modes.map((_, i) => modes[(i + r) % modes.length]);
  const timed = Object.fromEntries(modes.map((m) => [m, objectsFor(m)]));
  const warm = Object.fromEntries(modes.map((m) => [m, objectsFor(m)]));
  const common = {
    order,
    timed,
    warm,
    n: Object.fromEntries(modes.map((m) => [m, m === 'linePingPong' ? PROBE_N : n])),
    warmup: Object.fromEntries(modes.map((m) => [m, m === 'linePingPong' ? PROBE_N : warmup])),
  };
  const [a, b] = await runPair(PAIR_WORKER, common, { cpus, timeoutMs: TIMEOUT_MS, withPorts: true });
  const out = { order, pinned: [a.pinned, b.pinned], perSec: {}, rtUs: {}, bad: {}, sleepsPer: {}, preemptionsPer: {} };
  for (const m of modes) {
    const am = a.modes[m];
    const bm = b.modes[m];
    const start = am.start < bm.start ? am.start : bm.start;
    const end = am.end > bm.end ? am.end : bm.end;
    out.perSec[m] = common.n[m] / (Number(end - start) / 1e9);
    out.rtUs[m] = Number(am.end - am.start) / common.n[m] / 1e3;
    out.bad[m] = am.bad + bm.bad;
    if (am.switches && bm.switches) {
      out.sleepsPer[m] = (am.switches.voluntary + bm.switches.voluntary) / n;
      out.preemptionsPer[m] = (am.switches.involuntary + bm.switches.involuntary) / n;
    }
  }
  return out;
}

const placement = (runs) => {
  const seen = [...new Set(runs.map((r) => r.pinned.map((p) => p ?? 'any').join(' / ')))];
  return `CPUs allowed (A / B): ${seen.join('; ')}`;
};

function orderCheck(who, runs, mode, n, what) {
  return {
    name: `${who} ${what}`,
    ok: runs.every((r) => r.bad[mode] === 0),
    detail: `${runs.length} runs × ${fmt(n)}; wrong length or first byte: ${runs.map((r) => r.bad[mode]).join(' / ')}`,
  };
}

/** "x per run (sleeps+preemptions per message/round trip)" for one mode. */
function perRun(runs, mode, figure) {
  const xs = runs.map((r) => figure(r, mode)).join(', ');
  if (runs[0].sleepsPer[mode] === undefined) return xs;
  const sw = runs.map((r) => `${r.sleepsPer[mode].toFixed(2)}+${r.preemptionsPer[mode].toFixed(2)}`).join(', ');
  return `${xs} (context switches of both threads per message/round trip, voluntary (slept) + involuntary (preempted or yielded): ${sw})`;
}
const kps = (r, m) => `${(r.perSec[m] / 1e3).toFixed(0)} k/s`;
const us = (r, m) => `${r.rtUs[m].toFixed(2)} µs`;

/** The stream runs' probe, one figure per run: how long a cache line took to go from A to B and back. */
function lineNote(runs) {
  const ns = runs.map((r) => `${(r.rtUs.linePingPong * 1e3).toFixed(0)} ns`).join(', ');
  return (
    `The machine's state in each run (a probe, not a contender): a cache line's round trip between A and B, ${fmt(PROBE_N)} times, took ${ns} per round trip (A's time divided by the round trips; runs in the order above). ` +
    'Each 64-byte message moves at least one line of data between the CPUs (and, while the receiver keeps up, the tail\'s line too); the probe tells a run where that transfer was slow from one where something else was.'
  );
}

/** An information row's spec: a speed ratio of messages/s, no target. */
const infoSpec = (id, name) => ({ id, name, unit: 'ops/s', compare: 'speed' });

/** Runs `modes` INFO_RUNS times, for information rows: the runs and each mode's median messages/s. */
async function infoRuns(modes, n, warmup, own) {
  const runs = [];
  for (let r = 0; r < INFO_RUNS; r++) runs.push(await pairRun(modes, r, n, warmup, own));
  return { runs, med: Object.fromEntries(modes.map((m) => [m, medianOf(runs.map((x) => x.perSec[m]))])) };
}

/** An information row: `mode` against `peer` in `infoRuns`' result, checked for order; `details` (with the runs) on the first row of a group. */
function infoRow(row, { runs, med }, mode, peer, notes, what, n, details) {
  return settle({
    ...row,
    shmkit: med[mode],
    peer: med[peer],
    notes,
    checks: [orderCheck(`shmkit Channel ${what}`, runs, mode, n, 'messages in order')],
    details: details ? { ...details, medians: med, runs } : { medians: med },
  });
}

/** Runs the Channel group; returns its settled rows. */
export async function channelBenches() {
  const cores = os.availableParallelism();
  const own = cores >= 2 ? [0, 1] : undefined;
  const ownNote =
    own === undefined
      ? `${cores} core: the two threads cannot have a CPU each; not pinned.`
      : `${cores} cores; A pinned to CPU 0 and B to CPU 1 (taskset), the main thread sleeps in its event loop meanwhile.`;
  const rows = [];

  // --- 4. one-way stream: the exclusive ends (the target) and the shared ends (information) ---
  const streamRow = {
    id: 'channel.stream-64B.vs-postMessage',
    name: 'Channel 64-byte messages, worker → worker, one way, exclusive ends (ch.sender() / ch.receiver()): messages/s vs postMessage(Uint8Array)',
    unit: 'ops/s',
    compare: 'speed',
    target: 20,
  };
  const plainRow = {
    id: 'channel.stream-64B.vs-plain-js',
    name: 'Channel 64-byte messages one way, exclusive ends, vs a hand-written plain-JS byte ring (ceiling, information)',
    unit: 'ops/s',
    compare: 'speed',
  };
  const sharedEndsRow = {
    id: 'channel.stream-64B.shared-ends.vs-postMessage',
    name: 'Channel 64-byte messages, worker → worker, one way, shared ends (ch.send / ch.recv, a lock per message): messages/s vs postMessage(Uint8Array)',
    unit: 'ops/s',
    compare: 'speed',
  };
  try {
    const runs = [];
    for (let r = 0; r < STREAM_RUNS; r++) runs.push(await pairRun(STREAM_MODES, r, STREAM_N, STREAM_WARMUP, own));
    const med = Object.fromEntries(STREAM_MODES.map((m) => [m, medianOf(runs.map((r) => r.perSec[m]))]));
    const common = [
      `${fmt(STREAM_N)} messages of 64 bytes from worker A to worker B; messages/s over the span from the earlier thread start to the later end, i.e. until B has received the last one. ` +
        `Each run puts all four forms (exclusive ends, shared ends, the hand-written ring, postMessage) through the same two threads (order rotated), after ${fmt(STREAM_WARMUP)} warm-up messages each. ${ownNote}`,
      `postMessage: A port.postMessage(msg) for each (structured clone copies the 64-byte Uint8Array; no transferList), no flow control; ` +
        `B's 'message' handler only counts (no checks), the run ends when it has counted all. Median of ${STREAM_RUNS} runs: ${perRun(runs, 'postMessageStream', kps)}.`,
      placement(runs),
    ];
    rows.push(
      settle({
        ...streamRow,
        shmkit: med.channelStreamExclusive,
        peer: med.postMessageStream,
        notes: [
          `shmkit: new Channel() (64 KiB ring: about 960 messages of 4 + 64 bytes fit). A: tx = ch.sender() once, then msg[0] = i & 255; tx.send(msg) (blocking: spins, then sleeps while full); ` +
            `B: rx = ch.receiver() once, then m = rx.recv() (blocking; a fresh 64-byte Uint8Array) and checks m.length and m[0]. The claimed ends skip the per-message send and receive locks. ` +
            `Median of ${STREAM_RUNS} runs: ${perRun(runs, 'channelStreamExclusive', kps)}.`,
          ...common,
          `The hand-written ring of the next row (the ceiling for this protocol in JS) reached ${(med.plainStream / med.postMessageStream).toFixed(1)}× postMessage in the same runs.`,
          lineNote(runs),
        ],
        checks: [orderCheck('shmkit Channel (exclusive ends)', runs, 'channelStreamExclusive', STREAM_N, 'messages in order')],
        details: { messages: STREAM_N, bytes: 64, cpus: own, medians: med, runs },
      }),
    );
    rows.push(
      settle({
        ...plainRow,
        shmkit: med.channelStreamExclusive,
        peer: med.plainStream,
        notes: [
          'Ratio = shmkit\'s exclusive ends ÷ a hand-written plain-JS byte ring (benches/plain-channel.mjs) with the Channel\'s layout and protocol ' +
            '(free-running int32 head/tail on cache lines of their own, [u32 length][payload] messages 4-aligned, cached positions re-read with Atomics.load only when full/empty, ' +
            'one set() to write and one slice() to read, Atomics.store to publish, the receiver\'s position in steps of 1/16 of the ring as a claimed ChannelReceiver does) and nothing else: no argument checks, no closed bit, no sleeping (it spins), no staleness tokens, no store of the receiver\'s real position at every message. ' +
            'Both move the same 64-byte messages between the same two threads in the same runs; what neither can beat here is the cost of moving each message\'s cache lines between the two CPUs.',
          `hand-written ring, ${STREAM_RUNS} runs: ${perRun(runs, 'plainStream', kps)}. shmkit (exclusive ends): ${perRun(runs, 'channelStreamExclusive', kps)}.`,
          lineNote(runs),
        ],
        checks: [orderCheck('hand-written byte ring', runs, 'plainStream', STREAM_N, 'messages in order')],
        details: { medians: med },
      }),
    );
    rows.push(
      settle({
        ...sharedEndsRow,
        shmkit: med.channelStream,
        peer: med.postMessageStream,
        notes: [
          `shmkit: the same, with ch.send(msg) and ch.recv() on the Channel itself, which any number of threads may call at once: each takes the send or receive lock (an inline CAS) per message. ` +
            `Median of ${STREAM_RUNS} runs: ${perRun(runs, 'channelStream', kps)}.`,
          ...common,
        ],
        checks: [orderCheck('shmkit Channel (shared ends)', runs, 'channelStream', STREAM_N, 'messages in order')],
        details: { medians: med },
      }),
    );
  } catch (err) {
    rows.push(failedRow(streamRow, err), failedRow(plainRow, err), failedRow(sharedEndsRow, err));
  }

  // --- 256-byte messages: recv() and recvInto() (information) ---
  const largeRow = infoSpec('channel.stream-256B.recvInto.vs-postMessage', 'Channel 256-byte messages one way, exclusive ends, received with rx.recvInto(target) (one reused target): messages/s vs postMessage(Uint8Array) (information)');
  const largeRecvRow = infoSpec('channel.stream-256B.recv.vs-postMessage', 'Channel 256-byte messages one way, exclusive ends, received with rx.recv() (a fresh Uint8Array each): messages/s vs postMessage(Uint8Array) (information)');
  try {
    const result = await infoRuns(LARGE_MODES, LARGE_N, LARGE_WARMUP, own);
    const { runs, med } = result;
    const what =
      `${fmt(LARGE_N)} messages of 256 bytes from worker A (tx = ch.sender(); tx.send(msg)) to worker B, through a new Channel() (64 KiB), as the 64-byte row, after ${fmt(LARGE_WARMUP)} warm-up messages; ` +
      `all three forms through the same two threads in each run (order rotated), median of ${INFO_RUNS} runs. ${ownNote} ` +
      'A fresh Uint8Array of more than 64 bytes is allocated outside V8\'s heap (with its own ArrayBuffer), which costs more than the copy; recvInto() copies into a target the receiver reuses (the loop checks the length and first byte before the next message).';
    const all =
      `recvInto: ${perRun(runs, 'channelInto256', kps)}; recv: ${perRun(runs, 'channelStream256', kps)}; ` + `postMessage: ${perRun(runs, 'postMessageStream256', kps)}.`;
    const ratio = `recvInto() ran at ${(med.channelInto256 / med.channelStream256).toFixed(1)}× recv() in the same runs.`;
    rows.push(
      infoRow(largeRow, result, 'channelInto256', 'postMessageStream256', [what, all, ratio], 'recvInto (256 B)', LARGE_N, { messages: LARGE_N, bytes: 256, cpus: own }),
      infoRow(largeRecvRow, result, 'channelStream256', 'postMessageStream256', [what, all], 'recv (256 B)', LARGE_N),
    );
  } catch (err) {
    rows.push(failedRow(largeRow, err), failedRow(largeRecvRow, err));
  }

  // --- JS values (information) ---
  const valueRow = infoSpec('channel.values.vs-postMessage', 'Channel sendValue/recvValue of small objects one way, exclusive ends: values/s vs postMessage(object) (information)');
  const jsonRow = infoSpec('channel.values-as-json.vs-postMessage', 'Channel, the same objects as JSON strings (send(JSON.stringify(v)), recvInto + JSON.parse): values/s vs postMessage(object) (information)');
  try {
    const result = await infoRuns(VALUE_MODES, VALUE_N, VALUE_WARMUP, own);
    const { runs } = result;
    const what =
      `${fmt(VALUE_N)} objects { id: i, name: (50 characters), tags: [1, 2, 3] } from worker A to worker B through a new Channel() and its exclusive ends, after ${fmt(VALUE_WARMUP)} warm-up values; ` +
      `B checks every id. All three forms through the same two threads in each run (order rotated), median of ${INFO_RUNS} runs. ${ownNote} ` +
      'sendValue/recvValue use v8.serialize and v8.deserialize, whose JS wrappers cost more per call here than postMessage\'s own native serialization (and allocate a Buffer outside V8\'s heap per value).';
    const all = `sendValue/recvValue: ${perRun(runs, 'channelValues', kps)}; JSON: ${perRun(runs, 'channelJson', kps)}; postMessage: ${perRun(runs, 'postMessageValues', kps)}.`;
    rows.push(
      infoRow(valueRow, result, 'channelValues', 'postMessageValues', [what, all], 'values', VALUE_N, { values: VALUE_N, cpus: own }),
      infoRow(jsonRow, result, 'channelJson', 'postMessageValues', [what, all], 'JSON', VALUE_N),
    );
  } catch (err) {
    rows.push(failedRow(valueRow, err), failedRow(jsonRow, err));
  }

  // --- 5. request/response round trip ---
  const rttRow = {
    id: 'channel.roundtrip-64B.vs-postMessage',
    name: 'Channel request/response 64 B each way, 2 workers on own CPUs: round trip vs postMessage ping-pong',
    unit: 'µs/rt',
    compare: 'speed',
    target: 10,
  };
  const sharedRow = {
    id: 'channel.roundtrip-64B.shared-cpu.vs-postMessage',
    name: 'Channel request/response 64 B each way, 2 workers on ONE CPU: round trip vs postMessage ping-pong',
    unit: 'µs/rt',
    compare: 'speed',
  };
  const rttWhat =
    `${fmt(ROUND_TRIPS)} round trips per run, timed by A; each run puts both contenders through the same two threads (order rotated), after ${fmt(RTT_WARMUP)} warm-up round trips each. ` +
    'shmkit: two Channels (default 64 KiB), req and resp; A: q[0] = i & 255; req.send(q); r = resp.recv(); checks r; B: m = req.recv(); checks m; a[0] = m[0]; resp.send(a). send/recv are the blocking forms: a receiver spins in JS (2,000 tries), then sleeps in Rust. ' +
    "postMessage: A port.postMessage(q) (64-byte Uint8Array, copied); B's 'message' handler checks it and posts the received Uint8Array back (copied again); A checks it and sends the next from its handler.";
  try {
    const runs = [];
    for (let r = 0; r < RTT_RUNS; r++) runs.push(await pairRun(RTT_MODES, r, ROUND_TRIPS, RTT_WARMUP, own));
    const med = Object.fromEntries(RTT_MODES.map((m) => [m, medianOf(runs.map((r) => r.rtUs[m]))]));
    rows.push(
      settle({
        ...rttRow,
        shmkit: med.channelRtt,
        peer: med.postMessageRtt,
        notes: [
          rttWhat,
          `${ownNote} ${placement(runs)}.`,
          `shmkit, median of ${RTT_RUNS} runs: ${perRun(runs, 'channelRtt', us)}.`,
          `postMessage, median of ${RTT_RUNS} runs: ${perRun(runs, 'postMessageRtt', us)}.`,
        ],
        checks: [
          orderCheck('shmkit Channel', runs, 'channelRtt', ROUND_TRIPS, 'requests and replies in order'),
          orderCheck('postMessage', runs, 'postMessageRtt', ROUND_TRIPS, 'echoes in order'),
        ],
        details: { roundTrips: ROUND_TRIPS, cpus: own, medians: med, runs },
      }),
    );
  } catch (err) {
    rows.push(failedRow(rttRow, err));
  }

  // How long a blocking receive spins in JS before it first calls into Rust:
  // recv({ timeout: 0 }) on an empty Channel runs that spin and then times out.
  const spinUs = (() => {
    const ch = new Channel();
    let best = Infinity;
    for (let i = 0; i < 50; i++) {
      const t0 = process.hrtime.bigint();
      try {
        ch.recv({ timeout: 0 });
      } catch {
        // ERR_SHMKIT_TIMEOUT, as expected
      }
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3);
    }
    return best;
  })();

  try {
    const shared = [];
    for (let r = 0; r < SHARED_RUNS; r++) shared.push(await pairRun(RTT_MODES, r, ROUND_TRIPS, RTT_WARMUP, [0, 0]));
    const med = Object.fromEntries(RTT_MODES.map((m) => [m, medianOf(shared.map((r) => r.rtUs[m]))]));
    rows.push(
      settle({
        ...sharedRow,
        shmkit: med.channelRtt,
        peer: med.postMessageRtt,
        notes: [
          `For information: the same round trips with A and B both pinned to CPU 0 (${placement(shared)}), median of ${SHARED_RUNS} runs. Unpinned threads can land this way.`,
          `shmkit: ${perRun(shared, 'channelRtt', us)}. A blocking recv() first spins in JS (2,000 tries: ch.recv({ timeout: 0 }) on an empty Channel takes ${spinUs.toFixed(1)} µs here, best of 50), holding the one CPU the other thread needs to answer.`,
          `postMessage: ${perRun(shared, 'postMessageRtt', us)}.`,
        ],
        checks: [orderCheck('shmkit Channel (one CPU)', shared, 'channelRtt', ROUND_TRIPS, 'requests and replies in order')],
        details: { roundTrips: ROUND_TRIPS, cpus: [0, 0], medians: med, recvTimeout0Us: spinUs, runs: shared },
      }),
    );
  } catch (err) {
    rows.push(failedRow(sharedRow, err));
  }
  return rows;
}
