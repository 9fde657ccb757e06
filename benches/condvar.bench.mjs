// Condvar benchmarks: ping-pong latency between two worker threads. A hands
// the turn to B and waits for it back; B waits for its turn and hands it
// back. shmkit's Mutex + Condvar against npm `multithreading`'s Mutex +
// Condvar, a postMessage ping-pong, and a raw Atomics.wait/notify ping-pong.
//
// Where the two threads run decides the result, so each run pins them (Linux
// `taskset`): on CPUs of their own (the measurement the targets are about),
// and, for information, both on one CPU, which is what the scheduler may do
// to unpinned threads on a small machine. The two cases behave oppositely:
// a spinning waiter (shmkit waits ~20 µs before it parks) catches a hand-off
// from another CPU at once, but on a shared CPU it holds up the very thread it
// waits for; a sleeping waiter (Atomics.wait, postMessage) is cheap to wake on
// its own CPU and expensive to wake on another, idle one (on a VM, an idle
// vCPU halts and its wake-up goes through the hypervisor).

import os from 'node:os';
import { Mutex, Condvar } from '../index.mjs';
import { runPair, newControl, settle, failedRow } from './harness.mjs';
import { loadMultithreading, runPeerTasks } from './peers.mjs';

const PINGPONG_WORKER = new URL('./workers/pingpong.mjs', import.meta.url);
const ROUND_TRIPS = 20_000; // per run
const WARMUP = 2_000; // round trips per mode, on objects of their own, before the timed part
const RUNS = 5; // threads on their own CPUs: report the median run
const SHARED_RUNS = 3; // both threads on one CPU (information only)
const MODES = ['condvar', 'atomics', 'postMessage'];
const TIMEOUT_MS = 60_000;

const fmt = (n) => n.toLocaleString('en-US');
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const roundTripUs = ({ start, end }, n) => Number(end - start) / n / 1e3;

function sharedObjects() {
  return {
    condvar: { mutex: new Mutex(), cv: new Condvar(), cell: new Int32Array(new SharedArrayBuffer(8)) },
    atomics: { word: new Int32Array(new SharedArrayBuffer(8)) },
  };
}

/**
 * One shmkit run: two fresh worker_threads (workers/pingpong.mjs), pinned to
 * `cpus` ([A's CPU, B's CPU], or undefined: not pinned), run every mode in
 * turn, the order rotated by `r`, so that each mode is measured in the same
 * pair of threads. Returns per mode: µs per round trip (timed by A),
 * out-of-turn hand-offs, and sleeps / preemptions per round trip.
 */
async function shmkitRun(r, n, cpus) {
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
  const timed = sharedObjects();
  const warm = sharedObjects();
  const common = { n, warmup: WARMUP, order, timed, warm };
  const [a, b] = await runPair(PINGPONG_WORKER, common, { cpus, timeoutMs: TIMEOUT_MS, withPorts: true });
  const out = { order, pinned: [a.pinned, b.pinned], rtUs: {}, bad: {}, sleepsPerRt: {}, preemptionsPerRt: {} };
  for (const mode of MODES) {
    out.rtUs[mode] = roundTripUs(a.modes[mode], n);
    out.bad[mode] = a.modes[mode].bad + b.modes[mode].bad;
    // Context switches of both threads per round trip: voluntary = a thread
    // slept (parked, Atomics.wait, idle event loop); involuntary = it was preempted.
    const sw = [a.modes[mode].switches, b.modes[mode].switches];
    if (sw.every(Boolean)) {
      out.sleepsPerRt[mode] = (sw[0].voluntary + sw[1].voluntary) / n;
      out.preemptionsPerRt[mode] = (sw[0].involuntary + sw[1].involuntary) / n;
    }
  }
  out.handoffs = { condvar: timed.condvar.cell[1], atomics: timed.atomics.word[1] };
  return out;
}

// multithreading's side, in two tasks of its own pool (its Mutex and Condvar
// reach other threads only through spawn(move(...))). spawn() stringifies the
// task, so it is self-contained: the harness protocol (READY = 0, GO = 1) is
// inlined, the two tasks take roles 0 (A) and 1 (B) from a shared counter, and
// each pins its pool thread to `cpus[role]` for the run (restoring it after,
// since pool threads are reused). Same loop as the shmkit condvar mode, with
// its sync forms: blockingLock(), blockingWait(guard) in a while loop (it has
// no waitWhile), dispose(). The turn cell is the mutex's own data, as its
// README does it.
async function peerPingPongTask(mutex, cv, warmMutex, warmCv, { ctl, roles, n, warmup, cpus }) {
  const role = Atomics.add(roles, 0, 1);
  let pin;
  let pinned;
  if (cpus !== undefined) {
    try {
      const { execFileSync } = await import('node:child_process');
      const { readFileSync, readlinkSync } = await import('node:fs');
      const tid = readlinkSync('/proc/thread-self').split('/').pop();
      const allowed = () => readFileSync('/proc/thread-self/status', 'utf8').match(/^Cpus_allowed_list:\s*(\S+)/m)[1];
      const before = allowed();
      pin = (list) => execFileSync('taskset', ['-p', '-c', list, tid], { stdio: 'ignore' });
      pin(String(cpus[role]));
      pinned = allowed();
      const restore = pin;
      pin = () => restore(before);
    } catch (err) {
      pin = undefined;
      pinned = `not pinned (${err.code ?? err.message})`;
    }
  }
  const pingPong = (m, c, count) => {
    let bad = 0;
    for (let i = 0; i < count; i++) {
      const guard = m.blockingLock();
      const cell = guard.value;
      if (role === 0) {
        if (cell[1] !== 2 * i) bad++;
        cell[1]++;
        cell[0] = 1;
        c.notifyOne();
        while (cell[0] !== 0) c.blockingWait(guard);
      } else {
        while (cell[0] !== 1) c.blockingWait(guard);
        if (cell[1] !== 2 * i + 1) bad++;
        cell[1]++;
        cell[0] = 0;
        c.notifyOne();
      }
      guard.dispose();
    }
    return bad;
  };
  try {
    pingPong(warmMutex, warmCv, warmup);
    Atomics.add(ctl, 0, 1);
    while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
    const start = process.hrtime.bigint();
    const bad = pingPong(mutex, cv, n);
    return { role, pinned, start, end: process.hrtime.bigint(), bad };
  } finally {
    if (pin !== undefined) pin();
  }
}

async function peerRun(mt, n, cpus) {
  const cell = new Int32Array(new SharedArrayBuffer(8));
  const mutex = new mt.Mutex(cell);
  const cv = new mt.Condvar();
  const warmMutex = new mt.Mutex(new Int32Array(new SharedArrayBuffer(8)));
  const warmCv = new mt.Condvar();
  const ctl = newControl();
  const roles = new Int32Array(new SharedArrayBuffer(4));
  // ctl and roles travel inside a plain object: move() warns about bare SharedArrayBuffer views.
  const config = { ctl, roles, n, warmup: WARMUP, cpus };
  const { results } = await runPeerTasks(2, [mutex, cv, warmMutex, warmCv, config], peerPingPongTask, ctl, TIMEOUT_MS);
  const a = results.find((x) => x.role === 0);
  const b = results.find((x) => x.role === 1);
  return { rtUs: roundTripUs(a, n), bad: a.bad + b.bad, handoffs: cell[1], pinned: [a.pinned, b.pinned] };
}

function handoffCheck(who, runs, n) {
  return {
    name: `${who} hand-offs`,
    ok: runs.every((r) => r.handoffs === 2 * n && r.bad === 0),
    detail: `${runs.map((r) => fmt(r.handoffs)).join(' / ')} (expected ${fmt(2 * n)} per run, strictly alternating; out of turn: ${runs.map((r) => r.bad).join(' / ')})`,
  };
}

/** "µs per run; sleeps + preemptions per round trip" for one mode of `runs`. */
function perRun(runs, mode) {
  const us = runs.map((r) => r.rtUs[mode].toFixed(2)).join(', ');
  if (runs[0].sleepsPerRt[mode] === undefined) return `${us} µs`;
  const sw = runs.map((r) => `${r.sleepsPerRt[mode].toFixed(2)}+${r.preemptionsPerRt[mode].toFixed(2)}`).join(', ');
  return `${us} µs (sleeps+preemptions per round trip: ${sw})`;
}

const placement = (runs) => {
  const seen = [...new Set(runs.map((r) => r.pinned.map((p) => p ?? 'any').join(' / ')))];
  return `CPUs allowed (A / B): ${seen.join('; ')}`;
};

/** Runs the Condvar group; returns its settled rows. */
export async function condvarBenches() {
  const mt = await loadMultithreading();
  const cores = os.availableParallelism();
  const ownCpus = cores >= 2 ? [0, 1] : undefined;
  const base = {
    condvar: {
      id: 'condvar.pingpong.vs-multithreading',
      name: 'Condvar ping-pong, 2 workers on own CPUs: round trip vs multithreading Condvar',
      unit: 'µs/rt',
      compare: 'speed',
    },
    postMessage: {
      id: 'condvar.pingpong.vs-postMessage',
      name: 'Condvar ping-pong, 2 workers on own CPUs: round trip vs postMessage ping-pong',
      unit: 'µs/rt',
      compare: 'speed',
      target: 5,
    },
    atomics: {
      id: 'condvar.pingpong.vs-atomics',
      name: 'Condvar ping-pong, 2 workers on own CPUs: round trip vs raw Atomics.wait/notify',
      unit: 'µs/rt',
      compare: 'cost',
    },
    shared: {
      id: 'condvar.pingpong.shared-cpu.vs-postMessage',
      name: 'Condvar ping-pong, 2 workers on ONE CPU: round trip vs postMessage ping-pong',
      unit: 'µs/rt',
      compare: 'speed',
    },
  };

  const shmkitNote =
    `shmkit: 2 worker_threads (benches/workers/pingpong.mjs), ${fmt(ROUND_TRIPS)} round trips per run, timed by A. ` +
    'A: { g = mutex.lock(); cell[turn] = B; cv.notifyOne(); cv.waitWhile(g, () => cell[turn] !== A); g.unlock() }; ' +
    'B: { g = mutex.lock(); cv.waitWhile(g, () => cell[turn] !== B); cell[turn] = A; cv.notifyOne(); g.unlock() }; one Condvar for both directions.';
  const sameThreads = `Each run puts all ${MODES.length} modes (Condvar, raw Atomics, postMessage) through the same pair of threads, one after another (order rotated from run to run), after ${fmt(WARMUP)} warm-up round trips of each.`;
  const ownNote =
    ownCpus === undefined
      ? `${cores} core(s): the two threads cannot have a CPU each; not pinned.`
      : `${cores} cores, A pinned to CPU 0 and B to CPU 1 (taskset): each thread has a CPU of its own, so this is thread-to-thread latency across CPUs (the main thread sleeps in its event loop meanwhile). Unpinned threads may instead share a CPU: see the "ONE CPU" row.`;

  // --- threads on their own CPUs ---
  let runs;
  try {
    runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await shmkitRun(r, ROUND_TRIPS, ownCpus));
  } catch (err) {
    return Object.values(base).map((row) => failedRow(row, err));
  }
  const med = Object.fromEntries(MODES.map((m) => [m, medianOf(runs.map((r) => r.rtUs[m]))]));
  const condvarChecks = (who, rs) => handoffCheck(who, rs.map((r) => ({ handoffs: r.handoffs.condvar, bad: r.bad.condvar })), ROUND_TRIPS);
  const rows = [];

  // (a) multithreading's Mutex + Condvar, in its own pool, pinned the same way.
  try {
    const peerRuns = [];
    for (let r = 0; r < RUNS; r++) peerRuns.push(await peerRun(mt, ROUND_TRIPS, ownCpus));
    const peer = medianOf(peerRuns.map((r) => r.rtUs));
    rows.push(
      settle({
        ...base.condvar,
        shmkit: med.condvar,
        peer,
        notes: [
          `${shmkitNote} Median of ${RUNS} runs: ${perRun(runs, 'condvar')}.`,
          `multithreading: the same loop with blockingLock() / \`while (cell[turn] !== me) cv.blockingWait(guard)\` / notifyOne() / dispose(), in 2 tasks of its own pool (spawn(move(mutex, cv, ...), task): its objects reach other threads only that way), pinned like the shmkit threads; the turn cell is the Mutex's data. Median of ${RUNS} runs: ${peerRuns.map((r) => r.rtUs.toFixed(2)).join(', ')} µs. No target: shown for comparison.`,
          `${ownNote} ${placement(runs)}; multithreading ${placement(peerRuns)}.`,
        ],
        checks: [condvarChecks(`shmkit (${RUNS} runs)`, runs), handoffCheck(`multithreading (${RUNS} runs)`, peerRuns, ROUND_TRIPS)],
        details: { roundTrips: ROUND_TRIPS, cpus: ownCpus, shmkitRuns: runs, peerRuns },
      }),
    );
  } catch (err) {
    rows.push(failedRow({ ...base.condvar, shmkit: med.condvar }, err));
  }

  // (b) postMessage between the same two workers.
  rows.push(
    settle({
      ...base.postMessage,
      shmkit: med.condvar,
      peer: med.postMessage,
      notes: [
        `postMessage: A port.postMessage(i); B echoes it from its 'message' handler; A sends the next on receipt, over a MessageChannel whose ports were transferred to the two workers (worker to worker, not through the main thread). Median of ${RUNS} runs: ${perRun(runs, 'postMessage')}.`,
        sameThreads,
        ownNote,
      ],
      checks: [
        {
          name: 'postMessage echoes',
          ok: runs.every((r) => r.bad.postMessage === 0),
          detail: `out of order: ${runs.map((r) => r.bad.postMessage).join(' / ')}`,
        },
      ],
      details: { roundTrips: ROUND_TRIPS, shmkit: med.condvar, peer: med.postMessage },
    }),
  );

  // Info: raw Atomics.wait/notify on a turn word.
  rows.push(
    settle({
      ...base.atomics,
      shmkit: med.condvar,
      peer: med.atomics,
      notes: [
        `For information. raw: A { Atomics.store(w, turn, B); Atomics.notify(w, turn, 1); while (Atomics.load(w, turn) !== A) Atomics.wait(w, turn, B) }, B the mirror image; no mutex, no spinning (Atomics.wait sleeps at once). Median of ${RUNS} runs: ${perRun(runs, 'atomics')}.`,
      ],
      checks: [handoffCheck(`raw Atomics (${RUNS} runs)`, runs.map((r) => ({ handoffs: r.handoffs.atomics, bad: r.bad.atomics })), ROUND_TRIPS)],
      details: { roundTrips: ROUND_TRIPS, shmkit: med.condvar, peer: med.atomics },
    }),
  );

  // --- both threads on one CPU (information) ---
  try {
    const shared = [];
    for (let r = 0; r < SHARED_RUNS; r++) shared.push(await shmkitRun(r, ROUND_TRIPS, [0, 0]));
    const sm = Object.fromEntries(MODES.map((m) => [m, medianOf(shared.map((r) => r.rtUs[m]))]));
    rows.push(
      settle({
        ...base.shared,
        shmkit: sm.condvar,
        peer: sm.postMessage,
        notes: [
          `For information: the same ${MODES.length} modes with A and B both pinned to CPU 0 (${placement(shared)}), median of ${SHARED_RUNS} runs. Unpinned threads can land this way (the scheduler moves threads that sleep and wake each other onto one CPU), so unpinned figures swing between this row and the ones above.`,
          `shmkit Condvar: ${perRun(shared, 'condvar')}. A waiter polls up to ~20 µs before it parks, yielding the CPU on each poll after a short busy spin (src/parking.rs WAIT_SPIN), so on a shared CPU the thread it waits for gets to run.`,
          `postMessage: ${perRun(shared, 'postMessage')}. raw Atomics.wait/notify: ${perRun(shared, 'atomics')} (median ${sm.atomics.toFixed(2)} µs).`,
        ],
        checks: [
          condvarChecks(`shmkit (${SHARED_RUNS} runs, one CPU)`, shared),
          handoffCheck(`raw Atomics (${SHARED_RUNS} runs, one CPU)`, shared.map((r) => ({ handoffs: r.handoffs.atomics, bad: r.bad.atomics })), ROUND_TRIPS),
        ],
        details: { roundTrips: ROUND_TRIPS, cpus: [0, 0], runs: shared, medians: sm },
      }),
    );
  } catch (err) {
    rows.push(failedRow(base.shared, err));
  }
  return rows;
}
