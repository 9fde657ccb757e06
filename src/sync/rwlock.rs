//! RwLock: many readers or one writer, writer-preferring and phase-fair.
//!
//! ```text
//! byte 0            16                20           24
//!      +------------+-----------------+------------+
//!      | header     | state (i32)     | creation   |
//!      +------------+-----------------+------------+
//!
//! creation: the lock's creation stamp (`crate::layout::CREATION_WORD`)
//!
//! state:  bit 31     POISONED         a writer died holding the lock
//!         bit 30     WRITE_LOCKED     a writer holds it; LOW is its thread id
//!         bit 29     WRITERS_WAITING  writers are queued (new readers must queue too)
//!         bit 28     READERS_WAITING  readers are queued
//!         bits 0-27  LOW              WRITE_LOCKED ? writer's thread id : reader count
//! ```
//!
//! Queues in the parking lot: readers wait under the state word's address,
//! writers under that address + 1 (odd, so no other word ever has that key).
//!
//! | transition                         | who                                        |
//! |------------------------------------|--------------------------------------------|
//! | `n` -> `n+1` (no flag set)         | JS fast path or Rust: read lock            |
//! | `n+1` -> `n` (no flag set)         | JS fast path or Rust: read unlock          |
//! | `0` -> `WRITE_LOCKED|me`           | JS fast path or Rust: write lock           |
//! | `WRITE_LOCKED|me` -> `0`           | JS fast path or Rust: write unlock         |
//! | anything with a flag set           | Rust, under the lot lock                   |
//!
//! Writer preference: once a writer waits, new readers queue behind it, so a
//! stream of readers cannot starve writers. Phase fairness: the last reader
//! out hands the lock to the first queued writer, and a writer's unlock hands
//! it to *all* queued readers (or, if none, to the next writer), so readers
//! are not starved by writers either. Unlocking wakes only those it hands the
//! lock to.
//!
//! A writer that dies holding the lock poisons it (every later acquisition
//! reports POISONED until cleared), and its waiters take over. The word does
//! not say who the readers are; each thread counts its own read locks, and
//! those of a thread that exits holding them are given back by the next
//! operation that steps here (`crate::sync::read_holds`). Relocking from the
//! writer's own thread, and write-lock cycles between threads, are deadlocks.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::sync::Arc;
use std::time::Instant;

use napi::{Env, Result};
use napi_derive::napi;

use crate::error::*;
use crate::layout::{CREATION_WORD, STATE_WORD};
use crate::parking::{self, Grant, Lot, QueueKind, WaitEnd, Waiter};
use crate::region::Region;
use crate::threads;

/// A writer died holding the lock.
pub const POISONED: i32 = 1 << 31;
/// A writer holds the lock.
pub const WRITE_LOCKED: i32 = 1 << 30;
/// Writers are queued.
pub const WRITERS_WAITING: i32 = 1 << 29;
/// Readers are queued.
pub const READERS_WAITING: i32 = 1 << 28;
/// Reader count, or the writer's thread id.
pub const LOW: i32 = (1 << 28) - 1;
const FLAGS: i32 = !LOW;
const WAITING: i32 = WRITERS_WAITING | READERS_WAITING;

/// The flag bits of an RwLock state word, for JS (bits 28-31).
#[napi]
pub const RWLOCK_FLAGS_MASK: u32 = FLAGS as u32;
/// The WRITE_LOCKED bit of an RwLock state word, for JS.
#[napi]
pub const RWLOCK_WRITE_LOCKED_BIT: u32 = WRITE_LOCKED as u32;
/// The POISONED bit of an RwLock state word, for JS.
#[napi]
pub const RWLOCK_POISONED_BIT: u32 = POISONED as u32;

const SPINS: u32 = 100;

fn acquired(s: i32) -> i32 {
  if s & POISONED != 0 {
    STATUS_POISONED
  } else {
    STATUS_OK
  }
}

fn writers_key(addr: usize) -> usize {
  addr + 1
}

/// Who the lock's waiters wait for, as the lot records it.
/// Under the lot lock, after read or write locks were handed to `woken`: an
/// async waiter's thread that is also blocked in a sync wait on this RwLock
/// would wait for a lock its own event loop holds; that wait ends with
/// DEADLOCK (see [`Lot::refuse_self_wait`]).
fn refuse_self_waits<'a>(lot: &mut Lot, addr: usize, woken: impl Iterator<Item = &'a Arc<Waiter>>) {
  let tids: Vec<u32> = woken.filter(|w| w.is_async()).map(|w| w.tid).collect();
  for tid in tids {
    lot.refuse_self_wait(tid, &[addr, writers_key(addr)]);
  }
}

fn set_owner(lot: &mut Lot, addr: usize, tid: u32) {
  lot.set_owner(addr, tid);
  lot.set_owner(writers_key(addr), tid);
}

/// Sets `bit` in the word if it is not set yet; false when the word moved.
fn mark(word: &AtomicI32, s: i32, bit: i32) -> bool {
  s & bit != 0 || word.compare_exchange(s, s | bit, Relaxed, Relaxed).is_ok()
}

/// Which queue a waiter joins.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
  Read,
  Write,
}

/// What one look at the word under the lot lock decided.
enum Step {
  Done(i32),
  Deadlock,
  Queue { s: i32, owner: u32 },
  Again,
}

/// What a successful wake of an async waiter on `side` grants.
fn side_grant(side: Side) -> Grant {
  match side {
    Side::Read => Grant::ReadLock,
    Side::Write => Grant::WriteLock,
  }
}

/// Under the lot lock: read or write locks handed to async waiters whose
/// thread was terminated before it could learn so are released again, and so
/// are read locks a thread held when it exited, if taken on this lock (its
/// creation stamp is `creation`), not on one that was here before.
fn give_back(lot: &mut Lot, word: &AtomicI32, addr: usize, creation: i32) {
  for lost in lot.take_lost(addr) {
    if lost.creation != 0 && lost.creation != creation {
      continue;
    }
    // The record is gone from the lot: retry until the word takes it (JS
    // fast paths change the reader count without the lot lock), or until the
    // word shows nothing to give back.
    loop {
      let s = word.load(Relaxed);
      let next = match lost.grant {
        Grant::ReadLock if s & WRITE_LOCKED == 0 && s & LOW > 0 => {
          s - (lost.want.max(1) as i32).min(s & LOW)
        }
        Grant::WriteLock if s & WRITE_LOCKED != 0 && (s & LOW) as u32 == lost.tid => {
          s & (POISONED | WAITING)
        }
        _ => break,
      };
      if word.compare_exchange(s, next, Release, Relaxed).is_ok() {
        break;
      }
    }
  }
}

/// One look at the lock whose word is `word` at `addr`, with creation stamp
/// `creation`, under the lot lock.
fn step(
  lot: &mut Lot,
  word: &AtomicI32,
  addr: usize,
  creation: i32,
  me: u32,
  side: Side,
  sync: bool,
) -> Step {
  give_back(lot, word, addr, creation);
  let s = word.load(Acquire);
  if s & WRITE_LOCKED != 0 {
    let owner = (s & LOW) as u32;
    if owner != 0 && lot.is_alive(owner) {
      if sync && (owner == me || lot.would_deadlock(me, owner)) {
        return Step::Deadlock;
      }
      return Step::Queue { s, owner };
    }
    // The writer died: take over, poisoned.
    let next = match side {
      Side::Read => (s & WAITING) | POISONED | 1,
      Side::Write => (s & WAITING) | POISONED | WRITE_LOCKED | me as i32,
    };
    if word.compare_exchange(s, next, Acquire, Relaxed).is_err() {
      return Step::Again;
    }
    set_owner(lot, addr, if side == Side::Write { me } else { 0 });
    return Step::Done(STATUS_POISONED);
  }
  let readers = s & LOW;
  let writers_queued = lot.len(writers_key(addr)) > 0;
  if s & WRITERS_WAITING != 0 && !writers_queued {
    // Stale flag (a writer left without clearing it): clear and look again.
    let _ = word.compare_exchange(s, s & !WRITERS_WAITING, Relaxed, Relaxed);
    return Step::Again;
  }
  let next = match side {
    Side::Read if writers_queued || readers == LOW => return Step::Queue { s, owner: 0 },
    Side::Read => s + 1,
    Side::Write if readers > 0 => return Step::Queue { s, owner: 0 },
    Side::Write => (s & (POISONED | WAITING)) | WRITE_LOCKED | me as i32,
  };
  if word.compare_exchange(s, next, Acquire, Relaxed).is_err() {
    return Step::Again;
  }
  if side == Side::Write {
    set_owner(lot, addr, me);
  }
  Step::Done(acquired(s))
}

/// Spins while the lock is briefly held and nobody queues; `Some` when acquired.
fn spin(word: &AtomicI32, me: u32, side: Side) -> Option<i32> {
  for i in 0..SPINS {
    let s = word.load(Relaxed);
    if s & (WAITING | WRITE_LOCKED) == 0 {
      let next = match side {
        Side::Read if s & LOW < LOW => s + 1,
        Side::Write if s & LOW == 0 => s | WRITE_LOCKED | me as i32,
        _ => s,
      };
      if next != s {
        if word
          .compare_exchange_weak(s, next, Acquire, Relaxed)
          .is_ok()
        {
          return Some(acquired(s));
        }
        continue;
      }
    }
    if s & WAITING != 0 || (s & WRITE_LOCKED != 0 && (s & LOW) as u32 == me) {
      return None;
    }
    for _ in 0..(1 << (i / 20).min(4)) {
      std::hint::spin_loop();
    }
  }
  None
}

fn queue_kind(side: Side) -> QueueKind {
  match side {
    Side::Read => QueueKind::Lock,
    Side::Write => QueueKind::RwWriters,
  }
}

fn queue_key(addr: usize, side: Side) -> usize {
  match side {
    Side::Read => addr,
    Side::Write => writers_key(addr),
  }
}

fn waiting_bit(side: Side) -> i32 {
  match side {
    Side::Read => READERS_WAITING,
    Side::Write => WRITERS_WAITING,
  }
}

/// Gives back a lock of `side` that thread `me` holds.
fn unlock_side(word: &AtomicI32, addr: usize, me: u32, side: Side) {
  match side {
    Side::Read => read_unlock(word, addr),
    Side::Write => write_unlock(word, addr, me),
  };
}

/// Blocking read or write lock.
fn lock(
  word: &AtomicI32,
  addr: usize,
  creation: i32,
  me: u32,
  side: Side,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  // A read lock taken while our thread is being terminated is given back at
  // once (see `parking::kept`): its JS would never count it (see
  // `crate::sync::read_holds`), so its exit could not. So is any lock once we
  // have waited (woken with RETRY, or stepping again after a stray write).
  let reading = side == Side::Read;
  if let Some(st) = spin(word, me, side) {
    return parking::kept(st, reading, interrupted, || {
      unlock_side(word, addr, me, side)
    });
  }
  let since = Instant::now();
  let mut waited = false;
  loop {
    let mut lot = parking::lock();
    let (s, owner) = match step(&mut lot, word, addr, creation, me, side, true) {
      Step::Done(st) => {
        drop(lot);
        return parking::kept(st, waited || reading, interrupted, || {
          unlock_side(word, addr, me, side)
        });
      }
      Step::Deadlock => return STATUS_DEADLOCK,
      Step::Again => continue,
      Step::Queue { s, owner } => (s, owner),
    };
    if deadline.is_some_and(|d| Instant::now() >= d) {
      return STATUS_TIMEOUT;
    }
    if !mark(word, s, waiting_bit(side)) {
      continue;
    }
    let w = Waiter::sync(me, 0, since);
    lot.push_kind(queue_key(addr, side), w.clone(), owner, queue_kind(side));
    drop(lot);
    // Queued, we keep our side's waiting bit set, so the unlock that lets us
    // in comes to the lot. A word without it (a stray write) would let that
    // unlock pass us by: at each slice of the wait, look, and if so step
    // again instead of sleeping on (as a Mutex waiter does).
    let key = queue_key(addr, side);
    let (end, stray) =
      parking::wait_flagged(&w, key, deadline, word, waiting_bit(side), interrupted);
    waited = true;
    match end {
      WaitEnd::GaveUp(_, STATUS_TERMINATED) if stray => continue,
      WaitEnd::Woken(STATUS_RETRY) => continue,
      WaitEnd::Woken(st) => {
        return parking::kept(st, true, interrupted, || unlock_side(word, addr, me, side))
      }
      WaitEnd::GaveUp(mut lot, st) => {
        left_queue(&mut lot, word, addr, side);
        return st;
      }
    }
  }
}

/// Async read or write lock: acquires now, or queues waiter `id` (PENDING).
fn lock_async(word: &AtomicI32, addr: usize, creation: i32, me: u32, side: Side, id: u32) -> i32 {
  let mut lot = parking::lock();
  loop {
    match step(&mut lot, word, addr, creation, me, side, false) {
      Step::Done(st) => return st,
      Step::Deadlock | Step::Again => continue,
      Step::Queue { s, owner } => {
        if !mark(word, s, waiting_bit(side)) {
          continue;
        }
        lot.push_kind(
          queue_key(addr, side),
          Waiter::asynchronous(me, id, 0, side_grant(side)),
          owner,
          queue_kind(side),
        );
        return STATUS_PENDING;
      }
    }
  }
}

/// After a waiter left its queue without the lock (timeout, cancel): clear
/// its side's flag if the queue is empty, and when the last queued writer left
/// while readers hold or nobody holds the lock, let the queued readers in.
fn left_queue(lot: &mut Lot, word: &AtomicI32, addr: usize, side: Side) {
  if lot.len(queue_key(addr, side)) > 0 {
    return;
  }
  loop {
    let s = word.load(Relaxed);
    let mut next = s & !waiting_bit(side);
    let readers = lot.len(addr);
    let admit = side == Side::Write && s & WRITE_LOCKED == 0 && readers > 0;
    if admit {
      let room = (LOW - (s & LOW)) as usize;
      if readers > room {
        return; // cannot happen with sane counts; leave them queued
      }
      next = (next & !READERS_WAITING) + readers as i32;
    }
    if word.compare_exchange(s, next, Relaxed, Relaxed).is_ok() {
      if admit {
        lot.wake_all(addr, acquired(s));
      }
      return;
    }
  }
}

/// Read unlock: OK, or NOT_OWNER when the lock is not read-locked.
fn read_unlock(word: &AtomicI32, addr: usize) -> i32 {
  let s = word.load(Relaxed);
  if s & (WRITE_LOCKED | WAITING) == 0
    && s & LOW > 0
    && word.compare_exchange(s, s - 1, Release, Relaxed).is_ok()
  {
    return STATUS_OK;
  }
  let mut lot = parking::lock();
  loop {
    let s = word.load(Relaxed);
    if s & WRITE_LOCKED != 0 || s & LOW == 0 {
      return STATUS_NOT_OWNER;
    }
    if s & LOW == 1 {
      if let Some(first) = lot.front(writers_key(addr)) {
        // The last reader hands the lock to the first writer.
        let tid = first.tid;
        let more = if lot.len(writers_key(addr)) > 1 {
          WRITERS_WAITING
        } else {
          0
        };
        let readers = if lot.len(addr) > 0 {
          READERS_WAITING
        } else {
          0
        };
        let next = (s & POISONED) | WRITE_LOCKED | tid as i32 | more | readers;
        if word.compare_exchange(s, next, Release, Relaxed).is_err() {
          continue;
        }
        let woken = lot.wake_front(writers_key(addr), acquired(s));
        set_owner(&mut lot, addr, tid);
        refuse_self_waits(&mut lot, addr, woken.iter());
        return STATUS_OK;
      }
    }
    let mut next = s - 1;
    if lot.len(writers_key(addr)) == 0 {
      next &= !WRITERS_WAITING;
    }
    if word.compare_exchange(s, next, Release, Relaxed).is_ok() {
      if next & WRITERS_WAITING == 0 && lot.len(addr) > 0 {
        // Readers queued behind a writer that is gone: let them in.
        left_queue(&mut lot, word, addr, Side::Write);
      }
      return STATUS_OK;
    }
  }
}

/// Write unlock by `me`: OK or NOT_OWNER. Hands the lock to all queued
/// readers, or else to the first queued writer.
fn write_unlock(word: &AtomicI32, addr: usize, me: u32) -> i32 {
  let mine = WRITE_LOCKED | me as i32;
  let s = word.load(Relaxed);
  if s & (WRITE_LOCKED | LOW) != mine {
    return STATUS_NOT_OWNER;
  }
  if s & WAITING == 0
    && word
      .compare_exchange(s, s & POISONED, Release, Relaxed)
      .is_ok()
  {
    return STATUS_OK;
  }
  let mut lot = parking::lock();
  loop {
    let s = word.load(Relaxed);
    if s & (WRITE_LOCKED | LOW) != mine {
      return STATUS_NOT_OWNER;
    }
    let readers = lot.len(addr);
    let writers = lot.len(writers_key(addr));
    let writers_bit = if writers > 0 { WRITERS_WAITING } else { 0 };
    if readers > 0 && readers <= LOW as usize {
      let next = (s & POISONED) | writers_bit | readers as i32;
      if word.compare_exchange(s, next, Release, Relaxed).is_err() {
        continue;
      }
      let woken: Vec<_> = lot.waiters(addr).cloned().collect();
      lot.wake_all(addr, acquired(s));
      set_owner(&mut lot, addr, 0);
      refuse_self_waits(&mut lot, addr, woken.iter());
      return STATUS_OK;
    }
    if let Some(first) = lot.front(writers_key(addr)) {
      let tid = first.tid;
      let more = if writers > 1 { WRITERS_WAITING } else { 0 };
      let next = (s & POISONED) | WRITE_LOCKED | tid as i32 | more;
      if word.compare_exchange(s, next, Release, Relaxed).is_err() {
        continue;
      }
      let woken = lot.wake_front(writers_key(addr), acquired(s));
      set_owner(&mut lot, addr, tid);
      refuse_self_waits(&mut lot, addr, woken.iter());
      return STATUS_OK;
    }
    if word
      .compare_exchange(s, s & POISONED, Release, Relaxed)
      .is_ok()
    {
      return STATUS_OK;
    }
  }
}

fn cancel(word: &AtomicI32, addr: usize, me: u32, id: u32, side: Side) -> bool {
  let mut lot = parking::lock();
  let removed = lot.remove_async(queue_key(addr, side), me, id);
  if removed {
    left_queue(&mut lot, word, addr, side);
  }
  removed
}

/// The creation stamp of the lock in `view`.
fn creation_of(view: &Region) -> Result<i32> {
  Ok(view.word(CREATION_WORD as usize)?.load(Relaxed))
}

fn side(write: bool) -> Side {
  if write {
    Side::Write
  } else {
    Side::Read
  }
}

/// Blocks until the RwLock in `view` is read- (or write-) locked by this
/// thread, or `timeoutMs` passes. Returns a status code.
#[napi(catch_unwind)]
pub fn rwlock_lock(env: Env, view: Region, write: bool, timeout_ms: f64) -> Result<i32> {
  let (word, addr) = view.state()?;
  let creation = creation_of(&view)?;
  let me = threads::current()?;
  Ok(lock(
    word,
    addr,
    creation,
    me,
    side(write),
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  ))
}

/// Locks without waiting: OK, POISONED or WOULD_BLOCK (or TERMINATED: a
/// read lock taken as this thread is being terminated is given back, as in
/// `lock`).
#[napi(catch_unwind)]
pub fn rwlock_try_lock(env: Env, view: Region, write: bool) -> Result<i32> {
  let (word, addr) = view.state()?;
  let creation = creation_of(&view)?;
  let me = threads::current()?;
  let mut lot = parking::lock();
  loop {
    match step(&mut lot, word, addr, creation, me, side(write), false) {
      Step::Done(st) => {
        drop(lot);
        return Ok(parking::kept(
          st,
          !write,
          &mut || threads::interrupted(&env),
          || {
            read_unlock(word, addr);
          },
        ));
      }
      Step::Again => continue,
      Step::Deadlock | Step::Queue { .. } => return Ok(STATUS_WOULD_BLOCK),
    }
  }
}

/// Locks now, or queues async waiter `id` (PENDING).
#[napi(catch_unwind)]
pub fn rwlock_lock_async(view: Region, write: bool, id: u32) -> Result<i32> {
  let (word, addr) = view.state()?;
  let creation = creation_of(&view)?;
  Ok(lock_async(
    word,
    addr,
    creation,
    threads::current()?,
    side(write),
    id,
  ))
}

/// Releases a read (or write) lock, handing it on to waiters.
#[napi(catch_unwind)]
pub fn rwlock_unlock(view: Region, write: bool) -> Result<i32> {
  let (word, addr) = view.state()?;
  if write {
    Ok(write_unlock(word, addr, threads::current()?))
  } else {
    Ok(read_unlock(word, addr))
  }
}

/// Withdraws async waiter `id`; true when it was still queued.
#[napi(catch_unwind)]
pub fn rwlock_cancel(view: Region, write: bool, id: u32) -> Result<bool> {
  let (word, addr) = view.state()?;
  Ok(cancel(word, addr, threads::current()?, id, side(write)))
}

/// Waiters queued on the RwLock in `view`: `[readers, writers]`.
#[napi(catch_unwind)]
pub fn rwlock_waiters(view: Region) -> Result<Vec<u32>> {
  let addr = view.addr(STATE_WORD)?;
  let lot = parking::lock();
  Ok(vec![
    lot.len(addr) as u32,
    lot.len(writers_key(addr)) as u32,
  ])
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;
  use std::time::Duration;

  fn never() -> bool {
    false
  }

  #[test]
  fn retry_woken_writer_of_a_terminating_thread_gives_the_lock_back() {
    let (w, a) = parking::test_word(&[731, 732]);
    assert_eq!(
      lock(&w, a, 0, 731, Side::Write, None, &mut never),
      STATUS_OK
    );
    let terminating = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
      let (w, terminating) = (w.clone(), terminating.clone());
      std::thread::spawn(move || {
        lock(&w, a, 0, 732, Side::Write, None, &mut || {
          terminating.load(SeqCst)
        })
      })
    };
    parking::wait_queued(writers_key(a), 1);
    {
      // The writer dies (its waiters are woken with RETRY) as the waiting
      // writer's own thread starts to be terminated.
      let mut lot = parking::lock();
      terminating.store(true, SeqCst);
      lot.thread_exit(731);
    }
    assert_eq!(parking::joined(writer), STATUS_TERMINATED);
    // Poisoned (its writer did die holding it), but not held.
    assert_eq!(w.load(SeqCst) & !WAITING, POISONED);
  }

  #[test]
  fn readers_share_writers_exclude() {
    let w = AtomicI32::new(0);
    let a = &w as *const _ as usize;
    parking::lock().register(701);
    parking::lock().register(702);
    assert_eq!(lock(&w, a, 0, 701, Side::Read, None, &mut never), STATUS_OK);
    assert_eq!(lock(&w, a, 0, 702, Side::Read, None, &mut never), STATUS_OK);
    assert_eq!(w.load(SeqCst), 2);
    let d = parking::deadline(10.0);
    assert_eq!(
      lock(&w, a, 0, 702, Side::Write, d, &mut never),
      STATUS_TIMEOUT
    );
    assert_eq!(w.load(SeqCst), 2, "a timed-out writer leaves no flag");
    assert_eq!(read_unlock(&w, a), STATUS_OK);
    assert_eq!(read_unlock(&w, a), STATUS_OK);
    assert_eq!(read_unlock(&w, a), STATUS_NOT_OWNER);
    assert_eq!(
      lock(&w, a, 0, 701, Side::Write, None, &mut never),
      STATUS_OK
    );
    assert_eq!(
      lock(&w, a, 0, 701, Side::Write, None, &mut never),
      STATUS_DEADLOCK
    );
    assert_eq!(
      lock(&w, a, 0, 701, Side::Read, None, &mut never),
      STATUS_DEADLOCK
    );
    assert_eq!(write_unlock(&w, a, 702), STATUS_NOT_OWNER);
    assert_eq!(write_unlock(&w, a, 701), STATUS_OK);
    assert_eq!(w.load(SeqCst), 0);
  }

  #[test]
  fn a_waiting_writer_blocks_new_readers_and_gets_in() {
    let (w, a) = parking::test_word(&[711, 712]);
    assert_eq!(lock(&w, a, 0, 711, Side::Read, None, &mut never), STATUS_OK);
    let writer = {
      let w = w.clone();
      std::thread::spawn(move || {
        let st = lock(
          &w,
          a,
          0,
          712,
          Side::Write,
          parking::deadline(5_000.0),
          &mut never,
        );
        let held = w.load(SeqCst) & (WRITE_LOCKED | LOW);
        (st, held, write_unlock(&w, a, 712))
      })
    };
    parking::wait_queued(writers_key(a), 1);
    // A new reader must not pass the waiting writer.
    assert_eq!(
      lock(
        &w,
        a,
        0,
        711,
        Side::Read,
        parking::deadline(5.0),
        &mut never
      ),
      STATUS_TIMEOUT
    );
    assert_eq!(read_unlock(&w, a), STATUS_OK); // last reader: hands over to the writer
    let (st, held, unlocked) = parking::joined(writer);
    assert_eq!(
      (st, held, unlocked),
      (STATUS_OK, WRITE_LOCKED | 712, STATUS_OK)
    );
    assert_eq!(w.load(SeqCst), 0);
  }

  #[test]
  fn read_locks_of_an_exited_thread_are_given_back_on_their_lock_only() {
    let (w, a) = parking::test_word(&[741, 742, 743]);
    for tid in [741, 741, 742] {
      assert_eq!(lock(&w, a, 5, tid, Side::Read, None, &mut never), STATUS_OK);
    }
    {
      let lost = |want, creation| parking::Lost {
        addr: a,
        tid: 741,
        grant: Grant::ReadLock,
        want,
        pass_on: 0,
        creation,
      };
      let mut lot = parking::lock();
      // 741 exits counting its two read locks on this lock (created as 5),
      // and one on a lock that had this memory before (created as 4).
      lot.lose(lost(2, 5));
      lot.lose(lost(1, 4));
    }
    // 742 still reads: a writer waits for it, and only for it.
    let soon = parking::deadline(20.0);
    assert_eq!(
      lock(&w, a, 5, 743, Side::Write, soon, &mut never),
      STATUS_TIMEOUT
    );
    assert_eq!(w.load(SeqCst), 1);
    assert_eq!(read_unlock(&w, a), STATUS_OK);
    assert_eq!(
      lock(&w, a, 5, 743, Side::Write, None, &mut never),
      STATUS_OK
    );
    assert_eq!(write_unlock(&w, a, 743), STATUS_OK);
    assert_eq!(w.load(SeqCst), 0);
  }

  #[test]
  fn writer_unlock_admits_all_queued_readers() {
    let (w, a) = parking::test_word(&[721]);
    assert_eq!(
      lock(&w, a, 0, 721, Side::Write, None, &mut never),
      STATUS_OK
    );
    let readers: Vec<_> = (0..3)
      .map(|i| {
        let w = w.clone();
        std::thread::spawn(move || {
          parking::lock().register(730 + i);
          let st = lock(
            &w,
            a,
            0,
            730 + i,
            Side::Read,
            parking::deadline(5_000.0),
            &mut never,
          );
          std::thread::sleep(Duration::from_millis(20)); // all three inside at once
          (st, read_unlock(&w, a))
        })
      })
      .collect();
    parking::wait_queued(a, 3);
    assert_eq!(write_unlock(&w, a, 721), STATUS_OK);
    for r in readers {
      assert_eq!(parking::joined(r), (STATUS_OK, STATUS_OK));
    }
    assert_eq!(w.load(SeqCst), 0);
  }
}
