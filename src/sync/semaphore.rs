//! Semaphore: a counter of permits with a FIFO queue of waiters.
//!
//! ```text
//! byte 0            16                20           24
//!      +------------+-----------------+------------+
//!      | header     | state (i32)     | reserved   |
//!      +------------+-----------------+------------+
//!      header parameter = max permits (immutable)
//!
//! state:  bit 31     QUEUED     waiters are queued: every acquire and release
//!                               goes through the lot (the JS fast paths see a
//!                               negative word and defer)
//!         bits 0-30  AVAILABLE  permits available now, 0 ..= max
//! ```
//!
//! Fairness: while anyone is queued, nobody takes permits past them; a release
//! hands permits to queued waiters strictly in order, and stops at the first
//! waiter it cannot satisfy. So a waiter asking for many permits is never
//! starved by a stream of single-permit waiters.
//!
//! Invariant: while QUEUED is set, the word changes only under the lot lock.
//! A QUEUED bit with an empty queue (left by a thread that exited, or written
//! by a hostile thread) is cleared by the next operation that sees it.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::Instant;

use napi::{Env, Result};
use napi_derive::napi;

use crate::error::*;
use crate::parking::{self, Grant, Lot, QueueKind, WaitEnd, Waiter};
use crate::region::Region;
use crate::threads;

/// Set while waiters are queued.
pub const QUEUED: i32 = 1 << 31;
/// Available permits.
pub const AVAILABLE: i32 = !QUEUED;
/// The largest `max` a semaphore can have.
#[napi]
pub const SEMAPHORE_MAX_PERMITS: u32 = AVAILABLE as u32;

const SPINS: u32 = 100;

/// Takes `n` permits if no one is queued and enough are available.
fn take(word: &AtomicI32, n: u32) -> bool {
  loop {
    let s = word.load(Relaxed);
    if s < 0 || (s as u32) < n {
      return false;
    }
    if word
      .compare_exchange_weak(s, s - n as i32, Acquire, Relaxed)
      .is_ok()
    {
      return true;
    }
  }
}

/// Under the lot lock: adds `add` permits and hands permits to the queued
/// waiters in order while the first one can be satisfied; keeps QUEUED exact.
/// Never makes more than `max` available (permits given back after a lost
/// grant could, if a release counted on them being gone meanwhile).
fn grant(lot: &mut Lot, word: &AtomicI32, addr: usize, add: u32, max: u32) {
  // Permits granted to async waiters whose thread was terminated before they
  // could learn so come back here.
  let add = lot
    .take_lost(addr)
    .iter()
    .filter(|l| l.grant == Grant::Permits)
    .fold(add, |sum, l| sum.saturating_add(l.want));
  loop {
    let s = word.load(Relaxed);
    let cap = max.min(SEMAPHORE_MAX_PERMITS) as u64;
    let mut left = ((s & AVAILABLE) as u64 + add as u64).min(cap) as u32;
    let mut served = 0;
    for w in lot.waiters(addr) {
      if w.want > left {
        break;
      }
      left -= w.want;
      served += 1;
    }
    let queued = if lot.len(addr) > served { QUEUED } else { 0 };
    if word
      .compare_exchange(s, left as i32 | queued, AcqRel, Relaxed)
      .is_ok()
    {
      for _ in 0..served {
        lot.wake_front(addr, STATUS_OK);
      }
      return;
    }
  }
}

/// What one look under the lot lock decided.
enum Step {
  Done,
  Queue(i32),
  Again,
}

fn step(lot: &mut Lot, word: &AtomicI32, addr: usize, n: u32, max: u32) -> Step {
  if lot.has_lost(addr) {
    grant(lot, word, addr, 0, max);
  }
  let s = word.load(Acquire);
  if lot.len(addr) == 0 {
    if s < 0 {
      // A stale QUEUED bit: nobody is queued.
      let _ = word.compare_exchange(s, s & AVAILABLE, Relaxed, Relaxed);
      return Step::Again;
    }
    if s as u32 >= n {
      return match word.compare_exchange(s, s - n as i32, Acquire, Relaxed) {
        Ok(_) => Step::Done,
        Err(_) => Step::Again,
      };
    }
  }
  Step::Queue(s)
}

fn mark_queued(word: &AtomicI32, s: i32) -> bool {
  s < 0
    || word
      .compare_exchange(s, s | QUEUED, Relaxed, Relaxed)
      .is_ok()
}

/// Blocking acquire of `n` permits (the caller checked `1 <= n <= max`).
pub fn acquire(
  word: &AtomicI32,
  addr: usize,
  me: u32,
  n: u32,
  max: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  for _ in 0..SPINS {
    if take(word, n) {
      return STATUS_OK;
    }
    if word.load(Relaxed) < 0 {
      break;
    }
    std::hint::spin_loop();
  }
  let since = Instant::now();
  // Once we have waited (woken with RETRY, or stepping again after a stray
  // write), permits taken while our thread is being terminated are given
  // back: its JS will never see them.
  let mut waited = false;
  loop {
    let mut lot = parking::lock();
    let s = match step(&mut lot, word, addr, n, max) {
      Step::Done => {
        drop(lot);
        return parking::kept(STATUS_OK, waited, interrupted, || {
          grant(&mut parking::lock(), word, addr, n, max)
        });
      }
      Step::Again => continue,
      Step::Queue(s) => s,
    };
    if deadline.is_some_and(|d| Instant::now() >= d) {
      return STATUS_TIMEOUT;
    }
    if !mark_queued(word, s) {
      continue;
    }
    let w = Waiter::sync(me, n, since);
    lot.push_kind(addr, w.clone(), 0, QueueKind::Permits);
    drop(lot);
    // Queued, we keep QUEUED set, so every release comes to the lot. A word
    // without it (a stray write) would let releases pass us by: at each
    // slice of the wait, look, and if so step again instead of sleeping on.
    let (end, stray) = parking::wait_flagged(&w, addr, deadline, word, QUEUED, interrupted);
    waited = true;
    match end {
      WaitEnd::GaveUp(mut lot, STATUS_TERMINATED) if stray => {
        grant(&mut lot, word, addr, 0, max); // we may have been the one blocking the queue
        continue;
      }
      WaitEnd::Woken(STATUS_RETRY) => continue,
      WaitEnd::Woken(st) => {
        return parking::kept(st, true, interrupted, || {
          grant(&mut parking::lock(), word, addr, n, max)
        });
      }
      WaitEnd::GaveUp(mut lot, st) => {
        // We may have been the one blocking the queue: let the others in.
        grant(&mut lot, word, addr, 0, max);
        return st;
      }
    }
  }
}

/// Non-blocking acquire: OK or WOULD_BLOCK.
pub fn try_acquire(word: &AtomicI32, addr: usize, n: u32, max: u32) -> i32 {
  if take(word, n) {
    return STATUS_OK;
  }
  if word.load(Relaxed) >= 0 && !parking::any_lost() {
    return STATUS_WOULD_BLOCK;
  }
  let mut lot = parking::lock();
  loop {
    match step(&mut lot, word, addr, n, max) {
      Step::Done => return STATUS_OK,
      Step::Again => continue,
      Step::Queue(_) => return STATUS_WOULD_BLOCK,
    }
  }
}

/// Async acquire: OK now, or PENDING with waiter `id` queued; its outcome (OK
/// or RETRY) is posted to this thread's waker.
pub fn acquire_async(word: &AtomicI32, addr: usize, me: u32, n: u32, max: u32, id: u32) -> i32 {
  let mut lot = parking::lock();
  loop {
    match step(&mut lot, word, addr, n, max) {
      Step::Done => return STATUS_OK,
      Step::Again => continue,
      Step::Queue(s) => {
        if !mark_queued(word, s) {
          continue;
        }
        lot.push_kind(
          addr,
          Waiter::asynchronous(me, id, n, Grant::Permits),
          0,
          QueueKind::Permits,
        );
        return STATUS_PENDING;
      }
    }
  }
}

/// Returns `n` permits: OK, or OUT_OF_RANGE (nothing changed) when that would
/// make more than `max` available.
pub fn release(word: &AtomicI32, addr: usize, n: u32, max: u32) -> i32 {
  let max = max.min(SEMAPHORE_MAX_PERMITS) as u64;
  loop {
    let s = word.load(Relaxed);
    if s < 0 {
      break;
    }
    if s as u64 + n as u64 > max {
      return STATUS_OUT_OF_RANGE;
    }
    if word
      .compare_exchange_weak(s, s + n as i32, Release, Relaxed)
      .is_ok()
    {
      return STATUS_OK;
    }
  }
  let mut lot = parking::lock();
  let s = word.load(Relaxed);
  if (s & AVAILABLE) as u64 + n as u64 > max {
    return STATUS_OUT_OF_RANGE;
  }
  grant(&mut lot, word, addr, n, max as u32);
  STATUS_OK
}

/// Withdraws async waiter `id` of thread `me`: true when it was still queued.
pub fn cancel(word: &AtomicI32, addr: usize, me: u32, id: u32, max: u32) -> bool {
  let mut lot = parking::lock();
  let removed = lot.remove_async(addr, me, id);
  if removed {
    grant(&mut lot, word, addr, 0, max);
  }
  removed
}

/// Blocks until `n` permits of the semaphore in `view` are taken, or
/// `timeoutMs` passes (negative or infinite: no limit). Returns a status code.
///
/// `max`, here and below, is the count's limit as the caller read it from
/// the header when it opened the semaphore (the header is never re-read: a
/// stray write there cannot change what the limit is).
#[napi(catch_unwind)]
pub fn semaphore_acquire(env: Env, view: Region, n: u32, max: u32, timeout_ms: f64) -> Result<i32> {
  let (word, addr) = view.state()?;
  let me = threads::current()?;
  Ok(acquire(
    word,
    addr,
    me,
    n,
    max,
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  ))
}

/// Takes `n` permits if that needs no waiting. Returns a status code.
#[napi(catch_unwind)]
pub fn semaphore_try_acquire(view: Region, n: u32, max: u32) -> Result<i32> {
  let (word, addr) = view.state()?;
  Ok(try_acquire(word, addr, n, max))
}

/// Takes `n` permits now, or queues async waiter `id` (PENDING).
#[napi(catch_unwind)]
pub fn semaphore_acquire_async(view: Region, n: u32, max: u32, id: u32) -> Result<i32> {
  let (word, addr) = view.state()?;
  Ok(acquire_async(word, addr, threads::current()?, n, max, id))
}

/// Returns `n` permits, at most up to `max` available.
#[napi(catch_unwind)]
pub fn semaphore_release(view: Region, n: u32, max: u32) -> Result<i32> {
  let (word, addr) = view.state()?;
  Ok(release(word, addr, n, max))
}

/// Withdraws async waiter `id`; true when it had not been granted yet.
#[napi(catch_unwind)]
pub fn semaphore_cancel(view: Region, id: u32, max: u32) -> Result<bool> {
  let (word, addr) = view.state()?;
  Ok(cancel(word, addr, threads::current()?, id, max))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::AtomicU32;
  use std::sync::Arc;

  #[test]
  fn counts_and_limits() {
    let word = AtomicI32::new(2);
    let addr = &word as *const _ as usize;
    assert_eq!(try_acquire(&word, addr, 2, 2), STATUS_OK);
    assert_eq!(try_acquire(&word, addr, 1, 2), STATUS_WOULD_BLOCK);
    assert_eq!(release(&word, addr, 3, 2), STATUS_OUT_OF_RANGE);
    assert_eq!(release(&word, addr, 2, 2), STATUS_OK);
    assert_eq!(word.load(Relaxed), 2);
  }

  #[test]
  fn retry_woken_waiter_of_a_terminating_thread_gives_the_permits_back() {
    let (word, addr) = parking::test_word(&[451, 452]);
    // 451 waits for a permit asynchronously, 452 blocks behind it.
    assert_eq!(acquire_async(&word, addr, 451, 1, 2, 9), STATUS_PENDING);
    let terminating = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let waiter = {
      let (word, terminating) = (word.clone(), terminating.clone());
      std::thread::spawn(move || {
        acquire(&word, addr, 452, 1, 2, None, &mut || {
          terminating.load(SeqCst)
        })
      })
    };
    parking::wait_queued(addr, 2);
    {
      // A permit is there, and 451 exits, so 452 is woken with RETRY as its
      // own thread starts to be terminated.
      let mut lot = parking::lock();
      word.fetch_add(1, SeqCst);
      terminating.store(true, SeqCst);
      lot.thread_exit(451);
    }
    assert_eq!(parking::joined(waiter), STATUS_TERMINATED);
    assert_eq!(
      word.load(SeqCst),
      1,
      "the permit is back, and nobody is queued"
    );
  }

  #[test]
  fn big_waiter_is_not_starved() {
    let (word, addr) = parking::test_word(&[401]);
    let big = {
      let word = word.clone();
      std::thread::spawn(move || acquire(&word, addr, 401, 3, 10, None, &mut || false))
    };
    parking::wait_queued(addr, 1);
    // Single permits released one by one must accumulate for the big waiter;
    // nobody can take them past it.
    for _ in 0..3 {
      assert_eq!(try_acquire(&word, addr, 1, 10), STATUS_WOULD_BLOCK);
      assert_eq!(release(&word, addr, 1, 10), STATUS_OK);
    }
    assert_eq!(parking::joined(big), STATUS_OK);
    assert_eq!(word.load(Relaxed), 0);
  }

  #[test]
  fn never_more_than_k_inside() {
    let word = Arc::new(AtomicI32::new(3));
    let addr = Arc::as_ptr(&word) as usize;
    let inside = Arc::new(AtomicU32::new(0));
    let peak = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..6u32)
      .map(|i| {
        let (word, inside, peak) = (word.clone(), inside.clone(), peak.clone());
        std::thread::spawn(move || {
          parking::lock().register(500 + i);
          for _ in 0..5_000 {
            assert_eq!(
              acquire(&word, addr, 500 + i, 1, 3, None, &mut || false),
              STATUS_OK
            );
            let now = inside.fetch_add(1, SeqCst) + 1;
            peak.fetch_max(now, SeqCst);
            inside.fetch_sub(1, SeqCst);
            assert_eq!(release(&word, addr, 1, 3), STATUS_OK);
          }
        })
      })
      .collect();
    for h in handles {
      parking::joined(h);
    }
    assert!(peak.load(SeqCst) <= 3);
    assert_eq!(word.load(Relaxed), 3);
  }
}
