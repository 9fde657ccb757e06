// One of the two threads of the Channel runs (channel.bench.mjs). Role 0 (A)
// sends, role 1 (B) receives (and, in the round-trip modes, answers). The
// same two threads run every mode of `order`, one after the other:
//   stream modes: A sends n 64-byte messages one way, B receives them all.
//     channelStream       shmkit Channel: A ch.send(msg); B m = ch.recv(), checks
//                         m.length === 64 and m[0] === i & 255
//     channelStreamExclusive  the same through tx = ch.sender() and rx = ch.receiver()
//     plainStream         the same through a hand-written plain-JS byte ring
//                         (../plain-channel.mjs, the ceiling): A ring.send(msg);
//                         B m = ring.recv(), the same checks
//     postMessageStream   A port.postMessage(msg) (a 64-byte Uint8Array, copied:
//                         no transfer list); B's 'message' handler only counts
//   the same with 256-byte messages (the size of a Uint8Array matters: V8
//   allocates one of more than 64 bytes outside its heap):
//     channelStream256    channelStreamExclusive with 256-byte messages
//     channelInto256      the same, B n = rx.recvInto(target) into one reused
//                         target, checks n === 256 and target[0]
//     postMessageStream256  postMessageStream with 256-byte messages
//   JS values, one way: A sends n objects { id: i, name: 50 characters,
//   tags: [1, 2, 3] }, B receives them and checks each id.
//     channelValues       tx.sendValue(v) / rx.recvValue() (node:v8 serialization)
//     channelJson         tx.send(JSON.stringify(v)) / n = rx.recvInto(target);
//                         JSON.parse(decoder.decode(target.subarray(0, n)))
//     postMessageValues   port.postMessage(v); B's handler checks the id
//   round-trip modes: A sends 64 bytes, B answers 64 bytes, n times; A times.
//     channelRtt          shmkit: A req.send(q); r = resp.recv(); B m = req.recv();
//                         resp.send(a) (a[0] = m[0]); A checks r[0]
//     postMessageRtt      A port.postMessage(q) (copied); B echoes the Uint8Array
//                         it got (copied again); A sends the next on receipt
//   linePingPong        not a contender: A and B bounce a counter through two
//                         cache lines; A times the round trips (the cost of moving
//                         a line between the two CPUs in this run)
// Every mode runs on objects of its own (timed / warm); the postMessage modes
// share one MessageChannel whose ports were transferred to the two workers.
// Follows the harness protocol: warm every mode, READY, wait for GO; then per
// mode a barrier between the two threads, and both threads time it.

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from '../../index.mjs';
import { READY, GO } from '../harness.mjs';
import { PlainByteRing } from '../plain-channel.mjs';
import { pinThisThread, contextSwitches, makeBarrier } from './pin.mjs';

const { role, ctl, phase, order, timed, warm, n, warmup, port, cpu } = attach(workerData);
const pinned = pinThisThread(cpu);
const barrier = makeBarrier(phase);
const SIZE = 64;

function channelStream({ ch }, count) {
  if (role === 0) {
    const msg = new Uint8Array(SIZE);
    for (let i = 0; i < count; i++) {
      msg[0] = i & 255;
      ch.send(msg);
    }
    return 0;
  }
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const m = ch.recv();
    if (m.length !== SIZE || m[0] !== (i & 255)) bad++;
  }
  return bad;
}

// The same stream through the exclusive ends: A claims the sending side and B
// the receiving side (once per run, inside the timed part), and their sends
// and receives skip the per-message locks.
function channelStreamExclusive({ ch }, count, size = SIZE) {
  if (role === 0) return sendExclusive(ch, count, size);
  const rx = ch.receiver({ timeout: 10_000 });
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const m = rx.recv();
    if (m.length !== size || m[0] !== (i & 255)) bad++;
  }
  rx.release();
  return bad;
}

function channelIntoExclusive({ ch }, count, size) {
  if (role === 0) return sendExclusive(ch, count, size);
  const rx = ch.receiver({ timeout: 10_000 });
  const target = new Uint8Array(ch.byteCapacity - 4);
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const n = rx.recvInto(target);
    if (n !== size || target[0] !== (i & 255)) bad++;
  }
  rx.release();
  return bad;
}

/** A's side of the exclusive-ends modes: claims the sending side and sends `count` messages of `size` bytes. */
function sendExclusive(ch, count, size) {
  const tx = ch.sender({ timeout: 10_000 });
  const msg = new Uint8Array(size);
  for (let i = 0; i < count; i++) {
    msg[0] = i & 255;
    tx.send(msg);
  }
  tx.release();
  return 0;
}

function plainStream({ sab, cap }, count) {
  const ring = new PlainByteRing(sab, cap);
  if (role === 0) {
    const msg = new Uint8Array(SIZE);
    for (let i = 0; i < count; i++) {
      msg[0] = i & 255;
      ring.send(msg);
    }
    return 0;
  }
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const m = ring.recv();
    if (m.length !== SIZE || m[0] !== (i & 255)) bad++;
  }
  return bad;
}

function postMessageStream(_, count, size = SIZE) {
  if (role === 0) {
    const msg = new Uint8Array(size);
    for (let i = 0; i < count; i++) {
      msg[0] = i & 255;
      port.postMessage(msg);
    }
    return 0;
  }
  return new Promise((resolve) => {
    let got = 0;
    const onMessage = () => {
      if (++got === count) {
        port.off('message', onMessage);
        resolve(0);
      }
    };
    port.on('message', onMessage);
  });
}

function channelRtt({ req, resp }, count) {
  let bad = 0;
  if (role === 0) {
    const q = new Uint8Array(SIZE);
    for (let i = 0; i < count; i++) {
      q[0] = i & 255;
      req.send(q);
      const r = resp.recv();
      if (r.length !== SIZE || r[0] !== (i & 255)) bad++;
    }
  } else {
    const a = new Uint8Array(SIZE);
    for (let i = 0; i < count; i++) {
      const m = req.recv();
      if (m.length !== SIZE || m[0] !== (i & 255)) bad++;
      a[0] = m[0];
      resp.send(a);
    }
  }
  return bad;
}

function postMessageRtt(_, count) {
  return new Promise((resolve) => {
    let bad = 0;
    let i = 0;
    const onMessage =
      role === 0
        ? (m) => {
            if (m.length !== SIZE || m[0] !== (i & 255)) bad++;
            if (++i === count) {
              port.off('message', onMessage);
              resolve(bad);
            } else {
              q[0] = i & 255;
              port.postMessage(q);
            }
          }
        : (m) => {
            if (m.length !== SIZE || m[0] !== (i & 255)) bad++;
            port.postMessage(m);
            if (++i === count) {
              port.off('message', onMessage);
              resolve(bad);
            }
          };
    const q = new Uint8Array(SIZE);
    port.on('message', onMessage);
    if (role === 0) port.postMessage(q);
  });
}

const valueOf = (i) => ({ id: i, name: 'x'.repeat(50), tags: [1, 2, 3] });

function channelValues({ ch }, count) {
  if (role === 0) {
    const tx = ch.sender({ timeout: 10_000 });
    for (let i = 0; i < count; i++) tx.sendValue(valueOf(i));
    tx.release();
    return 0;
  }
  const rx = ch.receiver({ timeout: 10_000 });
  let bad = 0;
  for (let i = 0; i < count; i++) if (rx.recvValue().id !== i) bad++;
  rx.release();
  return bad;
}

function channelJson({ ch }, count) {
  if (role === 0) {
    const tx = ch.sender({ timeout: 10_000 });
    for (let i = 0; i < count; i++) tx.send(JSON.stringify(valueOf(i)));
    tx.release();
    return 0;
  }
  const rx = ch.receiver({ timeout: 10_000 });
  const target = new Uint8Array(ch.byteCapacity - 4);
  const decoder = new TextDecoder();
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const n = rx.recvInto(target);
    if (JSON.parse(decoder.decode(target.subarray(0, n))).id !== i) bad++;
  }
  rx.release();
  return bad;
}

function postMessageValues(_, count) {
  if (role === 0) {
    for (let i = 0; i < count; i++) port.postMessage(valueOf(i));
    return 0;
  }
  return new Promise((resolve) => {
    let got = 0;
    let bad = 0;
    const onMessage = (v) => {
      if (v.id !== got) bad++;
      if (++got === count) {
        port.off('message', onMessage);
        resolve(bad);
      }
    };
    port.on('message', onMessage);
  });
}

// The state of the machine for this run, not a contender: A and B pass a
// counter back and forth through two words on cache lines of their own (A
// writes one, B the other), spinning on Atomics.load; A times the round
// trips. Every byte a ring moves between the two CPUs pays this transfer.
function linePingPong({ sab }, count) {
  const mine = new Int32Array(sab, role === 0 ? 0 : 64, 1);
  const theirs = new Int32Array(sab, role === 0 ? 64 : 0, 1);
  if (role === 0) {
    for (let i = 1; i <= count; i++) {
      Atomics.store(mine, 0, i);
      while (Atomics.load(theirs, 0) !== i);
    }
    return 0;
  }
  for (let i = 1; i <= count; i++) {
    while (Atomics.load(theirs, 0) !== i);
    Atomics.store(mine, 0, i);
  }
  return 0;
}

const MODES = {
  linePingPong,
  channelStream,
  channelStreamExclusive,
  plainStream,
  postMessageStream,
  channelRtt,
  postMessageRtt,
  channelStream256: (objects, count) => channelStreamExclusive(objects, count, 256),
  channelInto256: (objects, count) => channelIntoExclusive(objects, count, 256),
  postMessageStream256: (objects, count) => postMessageStream(objects, count, 256),
  channelValues,
  channelJson,
  postMessageValues,
};

for (const mode of order) {
  barrier();
  let r = MODES[mode](warm[mode], warmup[mode]);
  if (r instanceof Promise) r = await r;
}

Atomics.add(ctl, READY, 1);
while (Atomics.load(ctl, GO) === 0) Atomics.wait(ctl, GO, 0);

const result = { role, pinned, modes: {} };
for (const mode of order) {
  barrier();
  const before = contextSwitches();
  const start = process.hrtime.bigint();
  let bad = MODES[mode](timed[mode], n[mode]);
  if (bad instanceof Promise) bad = await bad; // only the postMessage modes: no extra tick for the others
  const end = process.hrtime.bigint();
  const after = contextSwitches();
  const switches = before && after ? { voluntary: after[0] - before[0], involuntary: after[1] - before[1] } : undefined;
  result.modes[mode] = { start, end, bad, switches };
  result.start ??= start;
  result.end = end;
}
// A closes the port once B has everything (the last barrier); that closes B's end too.
barrier();
if (role === 0) port.close();
parentPort.postMessage(result);
