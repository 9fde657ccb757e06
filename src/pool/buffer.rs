//! BufferPool: the bookkeeping for recycled, transferable ArrayBuffers.
//!
//! The buffers themselves are ordinary V8-allocated ArrayBuffers (Node copies
//! externally-backed ones instead of transferring them). A pool belongs to one
//! thread, as its buffers do: the JS side (`lib/buffer-pool.js`) keeps the
//! retained buffers in a plain array, `slots`, and this kernel decides
//! everything else:
//!
//! ```text
//! size classes   one per exact byte length; each a deque of retained slots,
//!                oldest first; acquire takes the newest (warm memory)
//! LRU            every retained buffer, oldest release first; when a release
//!                would exceed maxRetainedBytes, the least recently released
//!                buffers are dropped first, whatever their class
//! slots          indices into the JS array; freed indices are reused
//! ```
//!
//! Both orders are doubly linked lists threaded through the slots (`Slot`),
//! so an acquire + release cycle (the hot path) moves links and allocates
//! nothing.
//!
//! **Loans.** Every acquired buffer is a loan in one process-wide ledger,
//! keyed by its memory (data address and length), which is what survives a
//! `postMessage` transfer. A release in *any* thread's pool closes the loan in
//! the pool that made it. The JS side watches each handed-out ArrayBuffer with
//! a FinalizationRegistry (unregistered when that same object is released)
//! and reports a collected one here, which marks a still-open loan as leaked.
//! A buffer that was transferred away counts as leaked if the sender's
//! detached handle is collected first; its release, when it comes back, takes
//! it off `leaked` again. The ledger never dereferences an address: it is only
//! a key; nothing here touches a buffer's memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::LazyLock;

use napi::bindgen_prelude::{sys, ArrayBuffer, Object};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;
use parking_lot::Mutex;

use crate::raw;
// Fx hashing: the keys are addresses, lengths and ids, not input anyone chooses.
use rustc_hash::FxHashMap as HashMap;

/// Default `maxRetainedBytes`: 64 MiB.
#[napi]
pub const BUFFER_POOL_DEFAULT_RETAINED: u32 = 64 << 20;

/// How many leaked loans are remembered, so that their buffers can still be
/// recognised if they come back.
const LEAKED_MEMORY: usize = 4096;

/// One pool's loan counts, which releases and finalizers in any thread
/// update (under the ledger's lock).
#[derive(Default, Clone, Copy, Debug, PartialEq)]
struct Counters {
  outstanding: u64,
  leaked: u64,
}

/// A loan's name: the pool that made it and the pool's serial for it.
type LoanId = (u64, u64);

/// One buffer handed out by a pool (the pool is the first half of its id).
struct Loan {
  key: (usize, usize),
  leaked: bool,
}

/// Every open (and recently leaked) loan of every pool in the process.
#[derive(Default)]
struct Ledger {
  by_memory: HashMap<(usize, usize), LoanId>,
  loans: HashMap<LoanId, Loan>,
  /// Per pool with loans made: the counts `stats` reports.
  counts: HashMap<u64, Counters>,
  leaked: VecDeque<LoanId>,
  /// About how many ids in `leaked` name loans closed since (a hint for
  /// when to sweep them out).
  stale: usize,
}

static LEDGER: LazyLock<Mutex<Ledger>> = LazyLock::new(Mutex::default);

impl Ledger {
  /// Pool `pool`'s counts.
  fn counts_of(&mut self, pool: u64) -> &mut Counters {
    self.counts.entry(pool).or_default()
  }

  /// Opens loan `id` of the memory `key`.
  fn lend(&mut self, id: LoanId, key: (usize, usize)) {
    if let Some(old) = self.by_memory.insert(key, id) {
      // The same memory lent again while an older loan of it is open: the
      // old loan's buffer was freed (the allocator reused its memory) before
      // its collection was reported. It leaked.
      if old != id {
        self.mark_leaked(old);
      }
    }
    let fresh = Loan { key, leaked: false };
    if let Some(old) = self.loans.insert(id, fresh) {
      // A serial reused by a misbehaving caller: the older loan is forgotten.
      if old.key != key && self.by_memory.get(&old.key) == Some(&id) {
        self.by_memory.remove(&old.key);
      }
      self.uncount(id.0, &old);
    }
    self.counts_of(id.0).outstanding += 1;
  }

  /// Takes a loan that is gone from the books off its pool's counts.
  fn uncount(&mut self, pool: u64, loan: &Loan) {
    if loan.leaked {
      self.stale += 1; // its place in `leaked` is swept out later
    } else {
      let counts = self.counts_of(pool);
      counts.outstanding = counts.outstanding.saturating_sub(1);
    }
  }

  /// The memory `key` came back through some pool's release: closes its loan.
  fn returned(&mut self, key: (usize, usize)) {
    let Some(id) = self.by_memory.remove(&key) else {
      return; // not lent by any pool (or forgotten): a foreign buffer
    };
    if let Some(loan) = self.loans.remove(&id) {
      if loan.leaked {
        let counts = self.counts_of(id.0);
        counts.leaked = counts.leaked.saturating_sub(1);
      }
      self.uncount(id.0, &loan);
    }
  }

  /// The serial of pool `pool`'s open (not leaked) loan of the memory `key`.
  fn open_loan_of(&self, pool: u64, key: (usize, usize)) -> Option<u64> {
    let &(lender, serial) = self.by_memory.get(&key)?;
    let open = self
      .loans
      .get(&(lender, serial))
      .is_some_and(|loan| !loan.leaked);
    (lender == pool && open).then_some(serial)
  }

  /// The object handed out for loan `id` was garbage-collected.
  fn collected(&mut self, id: LoanId) {
    self.mark_leaked(id);
  }

  /// Loan `id`'s buffer is gone without a release: counts it as leaked
  /// (once), and remembers it for a while in case it comes back.
  fn mark_leaked(&mut self, id: LoanId) {
    let Some(loan) = self.loans.get_mut(&id) else {
      return; // released (or forgotten) before
    };
    if loan.leaked {
      return;
    }
    loan.leaked = true;
    let counts = self.counts_of(id.0);
    counts.outstanding = counts.outstanding.saturating_sub(1);
    counts.leaked += 1;
    self.leaked.push_back(id);
    if self.leaked.len() > LEAKED_MEMORY && self.stale * 8 >= self.leaked.len() {
      // Leaked loans that came back since (closed by `returned`) hold places
      // too: sweep them out first, so the bound counts loans still out. (At
      // least an eighth of the ids go each time: a sweep costs O(1) per leak
      // over time.)
      let loans = &self.loans;
      self.leaked.retain(|id| loans.contains_key(id));
      self.stale = 0;
    }
    while self.leaked.len() > LEAKED_MEMORY {
      if let Some(old) = self.leaked.pop_front() {
        // Still counted in `leaked`; only the chance of recognising it ends.
        if let Some(loan) = self.loans.remove(&old) {
          if self.by_memory.get(&loan.key) == Some(&old) {
            self.by_memory.remove(&loan.key);
          }
        }
      }
    }
  }

  /// Forgets every loan of pool `pool`, and its counts (the pool is gone:
  /// nobody can ask).
  fn forget_pool(&mut self, pool: u64) {
    self.loans.retain(|id, _| id.0 != pool);
    self.by_memory.retain(|_, id| id.0 != pool);
    self.leaked.retain(|id| id.0 != pool);
    self.counts.remove(&pool);
  }
}

/// Source of pool ids.
static NEXT_POOL: AtomicU64 = AtomicU64::new(1);

/// The end of a list of slots.
const NIL: u32 = u32::MAX;

/// A slot's two list memberships: `LRU` (every retained buffer) and `CLASS`
/// (the retained buffers of its byte length).
const LRU: usize = 0;
const CLASS: usize = 1;

/// A slot's neighbours in one list: `prev` is older, `next` newer.
#[derive(Clone, Copy)]
struct Link {
  prev: u32,
  next: u32,
}

const UNLINKED: Link = Link {
  prev: NIL,
  next: NIL,
};

/// The oldest and newest slot of one list (`NIL` when empty).
#[derive(Clone, Copy)]
struct Ends {
  oldest: u32,
  newest: u32,
}

impl Default for Ends {
  fn default() -> Ends {
    Ends {
      oldest: NIL,
      newest: NIL,
    }
  }
}

/// One place in the JS array of retained buffers. While it holds a buffer,
/// `len` and `addr` name its memory (`addr`, the data address, is the ledger
/// key of the loan made when it is handed out) and `links` place it in the
/// LRU and in its class; a free slot's fields are stale.
struct Slot {
  len: usize,
  addr: usize,
  links: [Link; 2],
}

/// Appends slot `s` to `list` (kind `k`) as its newest.
fn push_newest(slots: &mut [Slot], list: &mut Ends, s: u32, k: usize) {
  slots[s as usize].links[k] = Link {
    prev: list.newest,
    next: NIL,
  };
  match list.newest {
    NIL => list.oldest = s,
    newest => slots[newest as usize].links[k].next = s,
  }
  list.newest = s;
}

/// Takes slot `s` out of `list` (kind `k`), wherever it is in it.
fn unlink(slots: &mut [Slot], list: &mut Ends, s: u32, k: usize) {
  let Link { prev, next } = slots[s as usize].links[k];
  match prev {
    NIL => list.oldest = next,
    p => slots[p as usize].links[k].next = next,
  }
  match next {
    NIL => list.newest = prev,
    n => slots[n as usize].links[k].prev = prev,
  }
  slots[s as usize].links[k] = UNLINKED;
}

/// `release()`'s result carries this flag when retained buffers were dropped
/// to make room: the JS side then clears the slots `next_evicted()` names.
#[napi]
pub const BUFFER_POOL_EVICTED: u32 = 1 << 30;

/// One thread's BufferPool (see the module documentation).
struct PoolState {
  id: u64,
  max_retained: u64,
  retained: u64,
  acquired: u64,
  released: u64,
  hits: u64,
  misses: u64,
  /// Indexed like the JS array; retained buffers and free places alike.
  slots: Vec<Slot>,
  free_slots: Vec<u32>,
  lru: Ends,
  /// Byte length -> the retained buffers of that length (never empty).
  classes: HashMap<usize, Ends>,
  evicted: Vec<u32>,
}

impl Drop for PoolState {
  fn drop(&mut self) {
    LEDGER.lock().forget_pool(self.id);
  }
}

thread_local! {
  /// This thread's pools by id. The native calls are plain functions on an
  /// id (a class method costs a JS-to-native call twice as dear).
  static POOLS: RefCell<HashMap<u32, PoolState>> = RefCell::new(HashMap::default());
}

/// Runs `f` on pool `id` of this thread; an unknown id is an error.
fn with_pool<T>(id: u32, f: impl FnOnce(&mut PoolState) -> T) -> Result<T> {
  POOLS.with(|pools| match pools.borrow_mut().get_mut(&id) {
    Some(pool) => Ok(f(pool)),
    None => Err(Error::new(
      Status::InvalidArg,
      format!("no BufferPool {id} on this thread"),
    )),
  })
}

/// `with_pool` for the raw callbacks.
fn raw_pool(id: u32, f: impl FnOnce(&mut PoolState) -> f64) -> std::result::Result<f64, raw::Fail> {
  POOLS.with(|pools| match pools.borrow_mut().get_mut(&id) {
    Some(pool) => Ok(f(pool)),
    None => Err(c"shmkit: no such BufferPool on this thread"),
  })
}

/// The data address and byte length of ArrayBuffer `ab`.
fn memory_of(ab: &ArrayBuffer) -> (usize, usize) {
  (ab.as_ptr() as usize, ab.len())
}

/// Makes a pool on this thread that never retains more than
/// `max_retained_bytes`; returns its id.
#[napi(catch_unwind)]
pub fn buffer_pool_new(max_retained_bytes: f64) -> Result<u32> {
  let id = NEXT_POOL.fetch_add(1, Relaxed);
  let key = u32::try_from(id).map_err(|_| Error::new(Status::GenericFailure, "too many pools"))?;
  let pool = PoolState::new(id, max_retained_bytes.max(0.0) as u64);
  POOLS.with(|pools| pools.borrow_mut().insert(key, pool));
  Ok(key)
}

/// Forgets pool `id` (its JS object was collected).
#[napi(catch_unwind)]
pub fn buffer_pool_drop(id: u32) {
  let gone = POOLS.with(|pools| pools.borrow_mut().remove(&id));
  drop(gone); // forgets its loans, outside the borrow
}

/// `bufferPoolAcquire(id, byteLength, serial)`, a raw callback (see
/// `crate::raw`): a retained buffer of exactly `byteLength` bytes of pool
/// `id`. Returns its slot, and lends it as loan `serial`; or -1 when there is
/// none: the caller makes a new buffer and lends it with `buffer_pool_lend`.
///
/// # Safety
/// Called by Node as a `napi_callback`, with the env and info of the call.
pub unsafe extern "C" fn raw_acquire(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: Node's env and info for this call, forwarded.
  unsafe {
    raw::number_call(env, info, |args| {
      let (id, len, serial) = (args.u32(0)?, args.f64(1)?, args.f64(2)?);
      raw_pool(id, |pool| pool.acquire(len as usize, serial as u64) as f64)
    })
  }
}

/// Lends `ab`, a buffer the caller has just made after a miss, as loan
/// `serial` of pool `id`.
#[napi(catch_unwind)]
pub fn buffer_pool_lend(id: u32, ab: ArrayBuffer, serial: f64) -> Result<()> {
  with_pool(id, |pool| {
    pool.acquired += 1;
    pool.misses += 1;
    LEDGER.lock().lend((pool.id, serial as u64), memory_of(&ab))
  })
}

/// Loan `serial` of pool `id`: its ArrayBuffer object was garbage-collected.
#[napi(catch_unwind)]
pub fn buffer_pool_collected(id: u32, serial: f64) {
  LEDGER.lock().collected((u64::from(id), serial as u64));
}

/// The serial of the open loan of pool `id` whose memory `ab` is, or -1.
/// `release()` asks when it stopped watching a loan that it then could not
/// detach, so that it watches the loan again.
#[napi(catch_unwind)]
pub fn buffer_pool_loan_serial(id: u32, ab: ArrayBuffer) -> f64 {
  match LEDGER.lock().open_loan_of(u64::from(id), memory_of(&ab)) {
    Some(serial) => serial as f64,
    None => -1.0,
  }
}

/// `bufferPoolRelease(id, ab)`, a raw callback (see `crate::raw`): pool `id`
/// takes back `ab` (a fresh handle whose memory the caller has just detached
/// from the user's one) and closes its loan wherever it was made. Returns the
/// slot where the caller keeps it (with BUFFER_POOL_EVICTED added when others
/// were dropped to make room: clear those slots first), or -1 when it is not
/// kept.
///
/// # Safety
/// Called by Node as a `napi_callback`, with the env and info of the call.
pub unsafe extern "C" fn raw_release(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: Node's env and info for this call, forwarded.
  unsafe {
    raw::number_call(env, info, |args| {
      let (id, memory) = (args.u32(0)?, args.array_buffer(1)?);
      raw_pool(id, |pool| pool.release(memory) as f64)
    })
  }
}

/// One slot of pool `id` whose buffer was dropped, and not yet named, or
/// -1 when there is none left. (One number per call, not an array: the
/// caller reads a number, which runs no code of anyone's, where reading an
/// array's elements could meet accessors defined on `Array.prototype`.)
#[napi(catch_unwind)]
pub fn buffer_pool_next_evicted(id: u32) -> Result<i64> {
  with_pool(id, |pool| pool.evicted.pop().map_or(-1, i64::from))
}

/// Drops every retained buffer of pool `id`; the caller clears all its slots.
#[napi(catch_unwind)]
pub fn buffer_pool_trim(id: u32) -> Result<()> {
  with_pool(id, |pool| {
    pool.classes.clear();
    pool.lru = Ends::default();
    pool.retained = 0;
    pool.slots.clear();
    pool.free_slots.clear();
    pool.evicted.clear();
  })
}

/// `{ acquired, released, hits, misses, retainedBytes, outstanding, leaked }` of pool `id`.
#[napi(catch_unwind)]
pub fn buffer_pool_stats(env: &Env, id: u32) -> Result<Object<'_>> {
  let figures = with_pool(id, |p| {
    let loans = LEDGER.lock().counts.get(&p.id).copied().unwrap_or_default();
    [
      ("acquired", p.acquired),
      ("released", p.released),
      ("hits", p.hits),
      ("misses", p.misses),
      ("retainedBytes", p.retained),
      ("outstanding", loans.outstanding),
      ("leaked", loans.leaked),
    ]
  })?;
  let mut o = Object::new(env)?;
  for (name, value) in figures {
    o.set(name, value as f64)?;
  }
  Ok(o)
}

impl PoolState {
  /// An empty pool `id` that keeps at most `max_retained` bytes.
  fn new(id: u64, max_retained: u64) -> PoolState {
    PoolState {
      id,
      max_retained,
      retained: 0,
      acquired: 0,
      released: 0,
      hits: 0,
      misses: 0,
      slots: Vec::new(),
      free_slots: Vec::new(),
      lru: Ends::default(),
      classes: HashMap::default(),
      evicted: Vec::new(),
    }
  }

  /// Hands out the newest retained buffer of `len` bytes as loan `serial`:
  /// its slot, or -1 when none is retained.
  fn acquire(&mut self, len: usize, serial: u64) -> i64 {
    let Some(class) = self.classes.get(&len) else {
      return -1; // counted by `lend`, once the caller has the new buffer
    };
    let s = class.newest;
    self.forget_slot(s);
    self.acquired += 1;
    self.hits += 1;
    let addr = self.slots[s as usize].addr;
    LEDGER.lock().lend((self.id, serial), (addr, len));
    s as i64
  }

  /// Closes the loan of the memory `(addr, len)` and retains it, dropping
  /// the oldest buffers when it would not fit: its slot (with
  /// BUFFER_POOL_EVICTED added when some were dropped), or -1 when it is not
  /// kept.
  fn release(&mut self, (addr, len): (usize, usize)) -> i64 {
    LEDGER.lock().returned((addr, len));
    self.released += 1;
    if len == 0 || len as u64 > self.max_retained {
      return -1;
    }
    let mut flag = 0;
    while self.retained + len as u64 > self.max_retained && self.lru.oldest != NIL {
      let oldest = self.lru.oldest;
      self.forget_slot(oldest);
      self.evicted.push(oldest);
      flag = BUFFER_POOL_EVICTED as i64;
    }
    let slot = Slot {
      len,
      addr,
      links: [UNLINKED; 2],
    };
    let s = match self.free_slots.pop() {
      Some(s) => {
        self.slots[s as usize] = slot;
        s
      }
      None => {
        self.slots.push(slot);
        (self.slots.len() - 1) as u32
      }
    };
    push_newest(&mut self.slots, &mut self.lru, s, LRU);
    let class = self.classes.entry(len).or_default();
    push_newest(&mut self.slots, class, s, CLASS);
    self.retained += len as u64;
    s as i64 + flag
  }

  /// Takes retained slot `s` off both lists (a class left empty goes, so
  /// that a pool that has seen many lengths keeps no bookkeeping for the
  /// ones it no longer holds) and frees it.
  fn forget_slot(&mut self, s: u32) {
    let len = self.slots[s as usize].len;
    unlink(&mut self.slots, &mut self.lru, s, LRU);
    if let Some(class) = self.classes.get_mut(&len) {
      unlink(&mut self.slots, class, s, CLASS);
      if class.newest == NIL {
        self.classes.remove(&len);
      }
    }
    self.retained -= len as u64;
    self.free_slots.push(s);
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  impl PoolState {
    /// The byte lengths of the LRU, oldest first, walked both ways.
    fn lru_lengths(&self) -> Vec<usize> {
      let mut forward = Vec::new();
      let mut s = self.lru.oldest;
      while s != NIL {
        forward.push(self.slots[s as usize].len);
        s = self.slots[s as usize].links[LRU].next;
      }
      let mut backward = Vec::new();
      let mut s = self.lru.newest;
      while s != NIL {
        backward.push(self.slots[s as usize].len);
        s = self.slots[s as usize].links[LRU].prev;
      }
      backward.reverse();
      assert_eq!(forward, backward, "the LRU's links disagree");
      forward
    }
  }

  fn counts(ledger: &Ledger, pool: u64) -> Counters {
    ledger.counts.get(&pool).copied().unwrap_or_default()
  }

  #[test]
  fn a_length_no_buffer_is_retained_of_keeps_no_class() {
    let mut pool = PoolState::new(u64::MAX, 1 << 20); // outside the thread's registry
                                                      // Taken back by acquire.
    for len in 1..=1000 {
      pool.release((0x10_0000 + len * 4096, len));
    }
    assert_eq!(pool.classes.len(), 1000);
    for (serial, len) in (1..=1000).enumerate() {
      assert!(pool.acquire(len, serial as u64) >= 0);
    }
    assert!(pool.classes.is_empty() && pool.lru_lengths().is_empty() && pool.retained == 0);
    // Dropped by eviction: 2,000 lengths of 1 KiB and more through a 64 KiB pool.
    let mut pool = PoolState::new(u64::MAX, 64 << 10);
    for len in 1024..3024 {
      pool.release((0x10_0000 + len * 4096, len));
    }
    let lru = pool.lru_lengths();
    assert_eq!(pool.classes.len(), lru.len());
    assert!(pool.classes.len() < 64, "{} classes", pool.classes.len());
    assert_eq!(pool.retained, lru.iter().map(|&l| l as u64).sum::<u64>());
    // (dropping the pool forgets its loans in the ledger)
  }

  #[test]
  fn eviction_drops_the_least_recently_released_and_acquire_takes_the_newest() {
    let mut pool = PoolState::new(u64::MAX - 1, 11);
    let a = pool.release((0xa000, 4));
    let b = pool.release((0xb000, 3));
    let c = pool.release((0xc000, 4));
    assert_eq!(pool.lru_lengths(), [4, 3, 4]);
    // 3 more bytes: `a` (the oldest) goes.
    let d = pool.release((0xd000, 3)) - i64::from(BUFFER_POOL_EVICTED);
    assert_eq!(std::mem::take(&mut pool.evicted), [a as u32]);
    assert_eq!(d, a, "the freed slot is reused");
    assert_eq!(pool.lru_lengths(), [3, 4, 3]);
    // The newest of a class first: `d`, then `b`.
    assert_eq!(pool.acquire(3, 1), d);
    assert_eq!(pool.acquire(3, 2), b);
    assert_eq!(pool.acquire(3, 3), -1);
    assert_eq!(pool.lru_lengths(), [4]);
    assert_eq!(pool.acquire(4, 4), c);
    assert!(pool.classes.is_empty() && pool.retained == 0);
    // A buffer larger than the limit is not kept, and evicts nothing.
    assert_eq!(pool.release((0xe000, 12)), -1);
    assert!(pool.evicted.is_empty());
    // Lengths interleaved: the LRU and every class stay consistent.
    let mut pool = PoolState::new(u64::MAX - 2, 1 << 20);
    for i in 0..300usize {
      pool.release((0x100_0000 + i * 64, 1 + i % 7));
      if i % 3 == 2 {
        assert!(
          pool.acquire(1 + (i * 5) % 7, i as u64) >= 0
            || !pool.classes.contains_key(&(1 + (i * 5) % 7))
        );
      }
    }
    let lru = pool.lru_lengths();
    assert_eq!(pool.retained, lru.iter().map(|&l| l as u64).sum::<u64>());
    for (len, class) in &pool.classes {
      let mut s = class.oldest;
      let mut n = 0;
      while s != NIL {
        assert_eq!(pool.slots[s as usize].len, *len);
        s = pool.slots[s as usize].links[CLASS].next;
        n += 1;
      }
      assert_eq!(n, lru.iter().filter(|&&l| l == *len).count());
    }
  }

  #[test]
  fn loans_close_leak_and_come_back() {
    let mut ledger = Ledger::default();
    let (a, b) = ((1, 1), (1, 2));
    ledger.lend(a, (0x1000, 64));
    ledger.lend(b, (0x2000, 64));
    assert_eq!(counts(&ledger, 1).outstanding, 2);
    ledger.returned((0x1000, 64));
    ledger.collected(a); // released first: not a leak
    assert_eq!(
      counts(&ledger, 1),
      Counters {
        outstanding: 1,
        leaked: 0
      }
    );
    ledger.collected(b);
    assert_eq!(
      counts(&ledger, 1),
      Counters {
        outstanding: 0,
        leaked: 1
      }
    );
    ledger.returned((0x2000, 64)); // it had been transferred away, and is back
    assert_eq!(counts(&ledger, 1).leaked, 0);
    ledger.returned((0x3000, 8)); // a foreign buffer: nothing to close
    assert_eq!(counts(&ledger, 1).outstanding, 0);
  }

  #[test]
  fn memory_lent_again_before_its_collection_was_reported_counts_as_leaked() {
    let mut ledger = Ledger::default();
    ledger.lend((1, 1), (0x1000, 64));
    ledger.lend((1, 2), (0x1000, 64)); // the allocator reused it
    assert_eq!(
      counts(&ledger, 1),
      Counters {
        outstanding: 1,
        leaked: 1
      }
    );
    ledger.collected((1, 1)); // the late report changes nothing
    assert_eq!(counts(&ledger, 1).leaked, 1);
    ledger.returned((0x1000, 64)); // closes the new loan, not the old one
    assert_eq!(
      counts(&ledger, 1),
      Counters {
        outstanding: 0,
        leaked: 1
      }
    );
  }

  #[test]
  fn a_reused_serial_replaces_its_loan() {
    let mut ledger = Ledger::default();
    ledger.lend((1, 1), (0x1000, 64));
    ledger.lend((1, 1), (0x2000, 64));
    assert_eq!(counts(&ledger, 1).outstanding, 1);
    assert_eq!(ledger.open_loan_of(1, (0x1000, 64)), None);
    ledger.returned((0x1000, 64)); // forgotten: nothing to close
    assert_eq!(counts(&ledger, 1).outstanding, 1);
    ledger.returned((0x2000, 64));
    assert_eq!(counts(&ledger, 1).outstanding, 0);
  }

  #[test]
  fn an_open_loan_is_found_by_its_pool_and_memory_only() {
    let mut ledger = Ledger::default();
    ledger.lend((1, 7), (0x1000, 64));
    ledger.lend((2, 8), (0x2000, 64));
    assert_eq!(ledger.open_loan_of(1, (0x1000, 64)), Some(7));
    assert_eq!(ledger.open_loan_of(2, (0x1000, 64)), None); // another pool's
    assert_eq!(ledger.open_loan_of(1, (0x1000, 32)), None); // another length
    assert_eq!(ledger.open_loan_of(1, (0x3000, 64)), None); // not lent
    ledger.collected((2, 8));
    assert_eq!(ledger.open_loan_of(2, (0x2000, 64)), None); // leaked
    ledger.returned((0x1000, 64));
    assert_eq!(ledger.open_loan_of(1, (0x1000, 64)), None); // released
  }

  #[test]
  fn leaked_loans_that_came_back_do_not_use_up_the_memory_of_leaks() {
    let mut ledger = Ledger::default();
    let addr = |i: usize| (0x10_0000 + i * 64, 64);
    // Round trips whose sender's handle was collected before the buffer came
    // back: each leaks, then is released by the receiver.
    for i in 0..(3 * LEAKED_MEMORY) {
      ledger.lend((1, i as u64), addr(i));
      ledger.collected((1, i as u64));
      ledger.returned(addr(i));
    }
    assert_eq!(counts(&ledger, 1).leaked, 0);
    // One still out, then many more round trips: it is still recognised.
    let out = 3 * LEAKED_MEMORY;
    ledger.lend((1, out as u64), addr(out));
    ledger.collected((1, out as u64));
    for i in (out + 1)..(out + 1 + 3 * LEAKED_MEMORY) {
      ledger.lend((1, i as u64), addr(i));
      ledger.collected((1, i as u64));
      ledger.returned(addr(i));
    }
    assert_eq!(counts(&ledger, 1).leaked, 1);
    ledger.returned(addr(out));
    assert_eq!(counts(&ledger, 1).leaked, 0, "the loan still out came back");
    assert!(ledger.leaked.len() <= LEAKED_MEMORY);
  }

  #[test]
  fn the_leaked_memory_is_bounded() {
    let mut ledger = Ledger::default();
    for i in 0..(LEAKED_MEMORY + 10) {
      let id = (1, i as u64);
      ledger.lend(id, (i * 16, 16));
      ledger.collected(id);
    }
    assert_eq!(ledger.loans.len(), LEAKED_MEMORY);
    assert_eq!(counts(&ledger, 1).leaked, (LEAKED_MEMORY + 10) as u64);
    ledger.forget_pool(1);
    assert!(ledger.loans.is_empty() && ledger.leaked.is_empty() && ledger.by_memory.is_empty());
    assert!(ledger.counts.is_empty());
  }
}
