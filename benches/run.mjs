// `npm run bench`: runs every bench group once, prints one table comparing
// shmkit with its peers, and writes the same data to bench-results.json.
// Missed targets are reported, not fatal: the exit code is 0 unless the
// harness itself breaks.

import { machineInfo, formatTable, writeJson } from './harness.mjs';
import { shutdownPeers } from './peers.mjs';
import { mutexBenches } from './mutex.bench.mjs';
import { semaphoreBenches } from './semaphore.bench.mjs';

const groups = [
  ['mutex', mutexBenches],
  ['semaphore', semaphoreBenches],
];

const machine = machineInfo();
console.log(`shmkit bench: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);

const started = Date.now();
const rows = [];
for (const [name, run] of groups) {
  const t0 = Date.now();
  process.stdout.write(`running ${name} benches... `);
  for (const row of await run()) rows.push({ group: name, ...row });
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
await shutdownPeers();

const seconds = (Date.now() - started) / 1000;
console.log();
console.log(formatTable(machine, rows));
const path = writeJson(machine, rows, { totalSeconds: seconds });
console.log(`\nTotal ${seconds.toFixed(1)} s. JSON written to ${path}`);
