//! Mutex: a lock word that records its owner, so a dead owner and a deadlock
//! can be detected.
//!
//! ```text
//! byte 0            16                20           24
//!      +------------+-----------------+------------+
//!      | header     | state (i32)     | reserved   |
//!      +------------+-----------------+------------+
//!
//! state:  bit 31     POISONED   an owner died holding the lock; stays set until
//!                               clearPoison(), every acquisition reports it
//!         bit 30     PARKED     waiters may be queued in the parking lot
//!         bits 0-29  OWNER      shmkit id of the holding thread, 0 = unlocked
//! ```
//!
//! | from               | to                   | who                                   |
//! |--------------------|----------------------|---------------------------------------|
//! | `0`                | `me`                 | JS fast path or Rust, one CAS          |
//! | `me`               | `0`                  | JS fast path or Rust, one CAS          |
//! | `P?|0` (no PARKED) | `P?|me`              | Rust, CAS (P = POISONED)               |
//! | `owner`            | `owner|PARKED`       | Rust, a waiter about to queue (lot)    |
//! | `P?|PARKED|me`     | `P?|PARKED?|next`    | Rust unlock: hand-off (lot)            |
//! | `P?|PARKED|me`     | `P?|PARKED?`         | Rust unlock: release and wake (lot)    |
//! | `dead owner`       | `POISONED|PARKED?|me`| Rust: take-over (lot)                  |
//!
//! Invariant: while PARKED is set, OWNER changes only under the lot lock, so
//! the parking lot's record of the owner (for deadlock detection) is exact.
//! The JS fast paths only ever CAS the whole word from exactly `0` or exactly
//! `me`, so they never race with a queued waiter.
//!
//! Any value written by a hostile thread is handled: an owner that is not a
//! live thread is taken over as dead (poisoned), stale PARKED bits are
//! cleared when no one is queued.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::{Duration, Instant};

use napi::{Env, Result};
use napi_derive::napi;

use crate::error::*;
use crate::parking::{self, Grant, WaitEnd, Waiter};
use crate::region::Region;
use crate::threads;

/// Set when an owner died holding the lock.
pub const POISONED: i32 = 1 << 31;
/// Set while waiters may be queued.
pub const PARKED: i32 = 1 << 30;
/// The owner's thread id.
pub const OWNER: i32 = (1 << 30) - 1;

/// The OWNER bits of a Mutex state word, for JS.
#[napi]
pub const MUTEX_OWNER_MASK: u32 = OWNER as u32;
/// The POISONED bit of a Mutex state word, for JS.
#[napi]
pub const MUTEX_POISONED_BIT: u32 = POISONED as u32;

/// A waiter that has waited this long is handed the lock directly on unlock
/// (eventual fairness); younger waiters are woken to compete.
const FAIR_AFTER: Duration = Duration::from_micros(500);
/// Spin iterations before queueing.
const SPINS: u32 = 100;

fn acquired(previous: i32) -> i32 {
  if previous & POISONED != 0 {
    STATUS_POISONED
  } else {
    STATUS_OK
  }
}

/// Spins briefly for the lock while no one is queued. `Some(status)` when
/// acquired.
fn spin(word: &AtomicI32, me: u32) -> Option<i32> {
  for i in 0..SPINS {
    let s = word.load(Relaxed);
    if s & (OWNER | PARKED) == 0 {
      if word
        .compare_exchange_weak(s, s | me as i32, Acquire, Relaxed)
        .is_ok()
      {
        return Some(acquired(s));
      }
      continue;
    }
    if s & PARKED != 0 || (s & OWNER) as u32 == me {
      return None;
    }
    for _ in 0..(1 << (i / 20).min(4)) {
      std::hint::spin_loop();
    }
  }
  None
}

/// What one look at the word under the lot lock decided.
enum Step {
  Done(i32),
  Queue { s: i32, owner: u32 },
  Again,
}

/// Under the lot lock: acquire if free, take over a dead owner, or say who
/// owns it.
fn step(lot: &mut parking::Lot, word: &AtomicI32, addr: usize, me: u32) -> Step {
  give_back(lot, word, addr);
  let s = word.load(Acquire);
  let owner = (s & OWNER) as u32;
  if owner == 0 || !lot.is_alive(owner) {
    let next = if owner == 0 {
      s | me as i32
    } else {
      (s & PARKED) | POISONED | me as i32
    };
    if word.compare_exchange(s, next, Acquire, Relaxed).is_err() {
      return Step::Again;
    }
    lot.set_owner(addr, me);
    return Step::Done(acquired(next));
  }
  Step::Queue { s, owner }
}

/// Under the lot lock: a lock handed to an async waiter whose thread was
/// terminated before it could learn so is released again (not poisoned: that
/// thread never saw it).
fn give_back(lot: &mut parking::Lot, word: &AtomicI32, addr: usize) {
  for lost in lot.take_lost(addr) {
    if lost.grant != Grant::Lock {
      continue;
    }
    let s = word.load(Relaxed);
    if (s & OWNER) as u32 == lost.tid {
      let _ = word.compare_exchange(s, s & !OWNER, Release, Relaxed);
    }
  }
}

/// Sets PARKED (if needed) so the owner's unlock comes to the lot.
fn mark_parked(word: &AtomicI32, s: i32) -> bool {
  s & PARKED != 0
    || word
      .compare_exchange(s, s | PARKED, Relaxed, Relaxed)
      .is_ok()
}

/// Clears a PARKED bit that no queued waiter needs any more (lot locked).
fn clear_parked_if_idle(lot: &parking::Lot, word: &AtomicI32, addr: usize) {
  if lot.len(addr) == 0 {
    word.fetch_and(!PARKED, Relaxed);
  }
}

/// Blocking lock for thread `me`.
pub fn lock(
  word: &AtomicI32,
  addr: usize,
  me: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  if let Some(st) = spin(word, me) {
    return st;
  }
  let since = Instant::now();
  // Once we have waited (woken with RETRY, or stepping again after a stray
  // write), a lock taken while our thread is being terminated is given back
  // (see `parking::kept`): its JS will never see it.
  let mut waited = false;
  loop {
    let mut lot = parking::lock();
    let (s, owner) = match step(&mut lot, word, addr, me) {
      Step::Done(st) => {
        drop(lot);
        return parking::kept(st, waited, interrupted, || {
          unlock(word, addr, me);
        });
      }
      Step::Again => continue,
      Step::Queue { s, owner } => (s, owner),
    };
    if owner == me || lot.would_deadlock(me, owner) {
      return STATUS_DEADLOCK;
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
      return STATUS_TIMEOUT;
    }
    if !mark_parked(word, s) {
      continue;
    }
    let w = Waiter::sync(me, 0, since);
    lot.push(addr, w.clone(), owner);
    drop(lot);
    // Queued, we keep PARKED set, so every unlock comes to the lot. A word
    // without it (a stray write) would let an unlock pass us by: at each
    // slice of the wait, look, and if so step again instead of sleeping on.
    let (end, stray) = parking::wait_flagged(&w, addr, deadline, word, PARKED, interrupted);
    waited = true;
    match end {
      WaitEnd::GaveUp(_, STATUS_TERMINATED) if stray => continue,
      WaitEnd::Woken(STATUS_RETRY) => {
        if let Some(st) = spin(word, me) {
          return parking::kept(st, waited, interrupted, || {
            unlock(word, addr, me);
          });
        }
      }
      WaitEnd::Woken(st) => {
        return parking::kept(st, true, interrupted, || {
          unlock(word, addr, me);
        })
      }
      WaitEnd::GaveUp(lot, st) => {
        clear_parked_if_idle(&lot, word, addr);
        return st;
      }
    }
  }
}

/// Non-blocking lock: OK, POISONED or WOULD_BLOCK.
pub fn try_lock(word: &AtomicI32, addr: usize, me: u32) -> i32 {
  let s = word.load(Relaxed);
  if s & (OWNER | PARKED) == 0
    && word
      .compare_exchange(s, s | me as i32, Acquire, Relaxed)
      .is_ok()
  {
    return acquired(s);
  }
  let mut lot = parking::lock();
  loop {
    match step(&mut lot, word, addr, me) {
      Step::Done(st) => return st,
      Step::Again => continue,
      Step::Queue { .. } => return STATUS_WOULD_BLOCK,
    }
  }
}

/// Async lock: acquires now (OK / POISONED) or queues async waiter `id` and
/// returns PENDING; the outcome (always a hand-off: OK / POISONED, or RETRY)
/// is posted to this thread's waker. Another task of the same thread may hold
/// the lock, so that is not a deadlock here.
///
/// `pass_on`: the address of a condvar whose notify this lock follows (the
/// relock of a notified async condvar wait), or 0: if the thread exits
/// before the outcome reaches JS, the notify is passed on there.
pub fn lock_async(word: &AtomicI32, addr: usize, me: u32, id: u32, pass_on: usize) -> i32 {
  let mut lot = parking::lock();
  loop {
    match step(&mut lot, word, addr, me) {
      Step::Done(st) => return st,
      Step::Again => continue,
      Step::Queue { s, owner } => {
        if !mark_parked(word, s) {
          continue;
        }
        lot.push(
          addr,
          Waiter::carrying(me, id, 0, Grant::Lock, pass_on),
          owner,
        );
        return STATUS_PENDING;
      }
    }
  }
}

/// Unlock by thread `me`: OK or NOT_OWNER. Hands the lock to the first waiter
/// when it is async or has waited long (fairness), otherwise releases it and
/// wakes that waiter to compete.
pub fn unlock(word: &AtomicI32, addr: usize, me: u32) -> i32 {
  let s = word.load(Relaxed);
  if (s & OWNER) as u32 != me {
    return STATUS_NOT_OWNER;
  }
  if s & PARKED == 0
    && word
      .compare_exchange(s, s & POISONED, Release, Relaxed)
      .is_ok()
  {
    return STATUS_OK;
  }
  let mut lot = parking::lock();
  loop {
    let s = word.load(Relaxed);
    if (s & OWNER) as u32 != me {
      return STATUS_NOT_OWNER;
    }
    let queued = lot.len(addr);
    let more = if queued > 1 { PARKED } else { 0 };
    let Some(first) = lot.front(addr) else {
      if word
        .compare_exchange(s, s & POISONED, Release, Relaxed)
        .is_ok()
      {
        return STATUS_OK;
      }
      continue;
    };
    let hand_off = first.is_async() || first.since.elapsed() >= FAIR_AFTER;
    let next_owner = if hand_off { first.tid } else { 0 };
    let next = (s & POISONED) | more | next_owner as i32;
    if word.compare_exchange(s, next, Release, Relaxed).is_err() {
      continue;
    }
    let outcome = if hand_off { acquired(s) } else { STATUS_RETRY };
    let woken = lot.wake_front(addr, outcome);
    lot.set_owner(addr, next_owner);
    if woken.is_some_and(|w| w.is_async()) {
      lot.refuse_self_wait(next_owner, &[addr]);
    }
    return STATUS_OK;
  }
}

/// Cancels async waiter `id` of thread `me`: true when it was still queued.
pub fn cancel(word: &AtomicI32, addr: usize, me: u32, id: u32) -> bool {
  let mut lot = parking::lock();
  let removed = lot.remove_async(addr, me, id);
  if removed {
    clear_parked_if_idle(&lot, word, addr);
  }
  removed
}

/// Blocks until the mutex in `view` is locked by this thread, `timeoutMs`
/// passes (negative or infinite: no limit), or the thread is terminated.
/// Returns a status code.
#[napi(catch_unwind)]
pub fn mutex_lock(env: Env, view: Region, timeout_ms: f64) -> Result<i32> {
  let (word, addr) = view.state()?;
  let me = threads::current()?;
  Ok(lock(
    word,
    addr,
    me,
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  ))
}

/// Locks the mutex in `view` if that needs no waiting. Returns a status code.
#[napi(catch_unwind)]
pub fn mutex_try_lock(view: Region) -> Result<i32> {
  let (word, addr) = view.state()?;
  Ok(try_lock(word, addr, threads::current()?))
}

/// Locks the mutex in `view` now, or queues async waiter `id` (PENDING).
/// `condvar`, when given: the Condvar whose notify this lock follows (the
/// relock of its notified async wait); if this thread exits before the
/// outcome reaches JS, the notify is passed on to its next waiter.
#[napi(catch_unwind)]
pub fn mutex_lock_async(view: Region, id: u32, condvar: Option<Region>) -> Result<i32> {
  let (word, addr) = view.state()?;
  let pass_on = match condvar {
    Some(cv) => cv.state()?.1,
    None => 0,
  };
  Ok(lock_async(word, addr, threads::current()?, id, pass_on))
}

/// Unlocks the mutex in `view`, waking or handing off to a waiter.
#[napi(catch_unwind)]
pub fn mutex_unlock(view: Region) -> Result<i32> {
  let (word, addr) = view.state()?;
  Ok(unlock(word, addr, threads::current()?))
}

/// Withdraws async waiter `id`; true when it had not been woken yet.
#[napi(catch_unwind)]
pub fn mutex_cancel(view: Region, id: u32) -> Result<bool> {
  let (word, addr) = view.state()?;
  Ok(cancel(word, addr, threads::current()?, id))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;

  fn never() -> bool {
    false
  }

  #[test]
  fn lock_unlock_and_relock_deadlock() {
    let word = AtomicI32::new(0);
    let addr = &word as *const _ as usize;
    parking::lock().register(101);
    assert_eq!(lock(&word, addr, 101, None, &mut never), STATUS_OK);
    assert_eq!(word.load(Relaxed), 101);
    assert_eq!(lock(&word, addr, 101, None, &mut never), STATUS_DEADLOCK);
    assert_eq!(unlock(&word, addr, 102), STATUS_NOT_OWNER);
    assert_eq!(unlock(&word, addr, 101), STATUS_OK);
    assert_eq!(word.load(Relaxed), 0);
  }

  #[test]
  fn dead_owner_is_taken_over_poisoned() {
    let word = AtomicI32::new(555_555); // never registered: dead
    let addr = &word as *const _ as usize;
    parking::lock().register(103);
    assert_eq!(try_lock(&word, addr, 103), STATUS_POISONED);
    assert_eq!(unlock(&word, addr, 103), STATUS_OK);
    assert_eq!(word.load(Relaxed), POISONED);
    assert_eq!(lock(&word, addr, 103, None, &mut never), STATUS_POISONED);
  }

  #[test]
  fn timeout_leaves_no_parked_bit() {
    let word = AtomicI32::new(0);
    let addr = &word as *const _ as usize;
    parking::lock().register(104);
    parking::lock().register(105);
    assert_eq!(lock(&word, addr, 104, None, &mut never), STATUS_OK);
    let d = parking::deadline(10.0);
    assert_eq!(lock(&word, addr, 105, d, &mut never), STATUS_TIMEOUT);
    assert_eq!(word.load(Relaxed), 104);
  }

  #[test]
  fn threads_count_every_increment() {
    let word = Arc::new(AtomicI32::new(0));
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let addr = Arc::as_ptr(&word) as usize;
    let handles: Vec<_> = (0..4u32)
      .map(|i| {
        let (word, counter) = (word.clone(), counter.clone());
        std::thread::spawn(move || {
          let me = 200 + i;
          parking::lock().register(me);
          for _ in 0..20_000 {
            assert_eq!(lock(&word, addr, me, None, &mut never), STATUS_OK);
            // Non-atomic read-modify-write under the lock.
            let v = counter.load(Relaxed);
            counter.store(v + 1, Relaxed);
            assert_eq!(unlock(&word, addr, me), STATUS_OK);
          }
        })
      })
      .collect();
    for h in handles {
      parking::joined(h);
    }
    assert_eq!(counter.load(Relaxed), 80_000);
    assert_eq!(word.load(Relaxed), 0);
  }

  #[test]
  fn retry_woken_waiter_of_a_terminating_thread_gives_the_lock_back() {
    let (word, addr) = parking::test_word(&[311, 312]);
    assert_eq!(lock(&word, addr, 311, None, &mut never), STATUS_OK);
    let terminating = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let waiter = {
      let (word, terminating) = (word.clone(), terminating.clone());
      std::thread::spawn(move || lock(&word, addr, 312, None, &mut || terminating.load(SeqCst)))
    };
    parking::wait_queued(addr, 1);
    {
      // The owner dies (every waiter is woken with RETRY) as the waiter's
      // own thread starts to be terminated.
      let mut lot = parking::lock();
      terminating.store(true, SeqCst);
      lot.thread_exit(311);
    }
    assert_eq!(parking::joined(waiter), STATUS_TERMINATED);
    // Poisoned (its owner did die holding it), but not held by the waiter.
    assert_eq!(word.load(Relaxed), POISONED);
  }

  #[test]
  fn waiter_stepping_again_after_a_stray_write_as_its_thread_is_terminated_gives_the_lock_back() {
    let (word, addr) = parking::test_word(&[331, 332]);
    assert_eq!(lock(&word, addr, 331, None, &mut never), STATUS_OK);
    // "Terminated" exactly when it holds the lock: its looks during the wait
    // see a live thread, its check after taking the lock a terminating one.
    let waiter = {
      let word = word.clone();
      std::thread::spawn(move || {
        let w = word.clone();
        lock(&word, addr, 332, None, &mut || {
          w.load(SeqCst) & OWNER == 332
        })
      })
    };
    parking::wait_queued(addr, 1);
    // A stray write frees the word (owner and PARKED gone): the waiter's next
    // look sees it and steps again, taking the lock.
    word.store(0, SeqCst);
    assert_eq!(parking::joined(waiter), STATUS_TERMINATED);
    assert_eq!(word.load(SeqCst), 0);
  }

  #[test]
  fn lock_handed_to_a_thread_that_exits_before_delivery_is_not_poisoned() {
    let (word, addr) = parking::test_word(&[321, 322, 323]);
    crate::threads::tests::POSTS_QUEUE.lock().insert(321);
    assert_eq!(lock(&word, addr, 323, None, &mut never), STATUS_OK);
    // 321 waits asynchronously, 322 blocks behind it.
    assert_eq!(lock_async(&word, addr, 321, 7, 0), STATUS_PENDING);
    let waiter = {
      let word = word.clone();
      std::thread::spawn(move || lock(&word, addr, 322, None, &mut never))
    };
    parking::wait_queued(addr, 2);
    // The unlock hands the lock to 321's async waiter: posted, not delivered.
    assert_eq!(unlock(&word, addr, 323), STATUS_OK);
    assert_eq!(word.load(Relaxed) & OWNER, 321);
    // 321 exits before its event loop runs the outcome: 322 gets the lock,
    // not poisoned, since 321 never saw it.
    parking::lock().thread_exit(321);
    assert_eq!(parking::joined(waiter), STATUS_OK);
    assert_eq!(word.load(Relaxed) & (OWNER | POISONED), 322);
    // The outcome, if its delivery ever runs, has nothing left to hand over.
    assert!(parking::delivered(321, 7).is_none());
  }

  #[test]
  fn dying_owner_wakes_waiters() {
    let (word, addr) = parking::test_word(&[301, 302]);
    assert_eq!(lock(&word, addr, 301, None, &mut never), STATUS_OK);
    let waiter = {
      let word = word.clone();
      std::thread::spawn(move || lock(&word, addr, 302, None, &mut never))
    };
    std::thread::sleep(Duration::from_millis(30));
    parking::lock().thread_exit(301);
    assert_eq!(parking::joined(waiter), STATUS_POISONED);
    assert_eq!(word.load(Relaxed) & OWNER, 302);
  }
}
