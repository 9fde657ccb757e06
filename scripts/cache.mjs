// What the repository's scripts fetch once and keep: npm packages unpacked
// into $XDG_CACHE_HOME/shmkit/<name> (~/.cache by default). Used by
// test-on-node.mjs (Node.js binaries) and build.mjs (the linker toolchain).
//
// A package is fetched with `npm pack` and unpacked beside its folder, then
// renamed into place only when whole, so a fetch cut short is never taken for
// a copy, and two runs fetching at once each keep a whole one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const FETCH_TIMEOUT_MS = 10 * 60_000;

/** The cache folder: absolute, or an error (an empty or relative HOME would put it inside the repository). */
export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  if (!path.isAbsolute(base)) throw new Error(`no absolute cache folder (XDG_CACHE_HOME or HOME gives '${base}')`);
  return path.join(base, 'shmkit');
}

/** `spawnSync`, or an Error saying what `what` did wrong: did not start, timed out, exited non-zero. */
export function run(what, cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})${r.stderr ? `:\n${r.stderr}` : ''}`);
  return r;
}

/**
 * The folder `<cache>/<name>` holding npm package `spec` unpacked (its files
 * under `package/`), fetched if it is not there yet. `isWhole(dir)` says
 * whether a folder holds a whole copy (it may throw to reject one that is
 * there but wrong); `finish(dir)`, if given, runs on a fresh copy before it is
 * renamed into place. `integrity`, if given, is the tarball's expected
 * `sha512-...` (npm's own form): a tarball that differs is refused.
 */
export function cachedPackage(spec, name, { isWhole, finish, integrity }) {
  const cache = cacheRoot();
  const dir = path.join(cache, name);
  if (isWhole(dir)) return dir;
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(path.join(cache, `.${name}-`));
  try {
    // With --json, npm reports an error (an unknown version, say) as JSON on stdout.
    const pack = spawnSync('npm', ['pack', spec, '--pack-destination', tmp, '--json', '--silent'], { encoding: 'utf8', timeout: FETCH_TIMEOUT_MS });
    let out;
    try {
      out = JSON.parse(pack.stdout);
    } catch {
      out = undefined;
    }
    if (pack.error || pack.status !== 0 || !Array.isArray(out) || typeof out[0]?.filename !== 'string') {
      const why = pack.error?.message ?? out?.error?.summary ?? (pack.stderr || pack.stdout || '').trim();
      throw new Error(`npm pack ${spec} failed (exit ${pack.status ?? pack.signal}): ${why}`);
    }
    const tarball = path.join(tmp, path.basename(out[0].filename));
    if (integrity !== undefined) {
      const got = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
      if (got !== integrity) throw new Error(`npm pack ${spec} gave a tarball of integrity ${got}, not the expected ${integrity}`);
    }
    run(`tar -xzf ${tarball}`, 'tar', ['-xzf', tarball, '-C', tmp], { timeout: FETCH_TIMEOUT_MS });
    rmSync(tarball);
    finish?.(tmp);
    if (!isWhole(tmp)) throw new Error(`npm pack ${spec}: the unpacked package is not what was expected`);
    // A folder there without a whole copy is no run's copy (runs only rename whole ones in).
    if (existsSync(dir) && !isWhole(dir)) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another run put its whole copy there first: use that one.
      if (!isWhole(dir)) throw err;
    }
    return dir;
  } finally {
    rmSync(tmp, { recursive: true, force: true }); // (gone already once renamed)
  }
}
