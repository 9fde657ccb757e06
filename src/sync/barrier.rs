//! Barrier: `parties` threads wait until all have arrived, generation after
//! generation; exactly one of each generation is its leader.
//!
//! ```text
//! byte 0            16                  20                24
//!      +------------+-------------------+-----------------+
//!      | header     | generation (i32)  | arrived (i32)   |
//!      +------------+-------------------+-----------------+
//!      header parameter = parties (immutable)
//!
//! generation: bit 31     BROKEN   a party gave up (timeout, abort, reset);
//!                                 every wait fails until reset()
//!             bits 0-30  the generation number, wrapping
//! arrived:    parties that have arrived in this generation, 0 ..= parties-1
//! ```
//!
//! Both words change only under the lot lock. The last party to arrive is the
//! leader: it opens the next generation and wakes the others. A party that
//! gives up breaks the barrier: the others of its generation wake with BROKEN
//! instead of waiting for a party that will not come.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::Instant;

use napi::{Env, Result};
use napi_derive::napi;

use crate::error::*;
use crate::layout::STATE_WORD;
use crate::parking::{self, Grant, Lot, QueueKind, WaitEnd, Waiter};
use crate::region::Region;
use crate::threads;

/// The barrier is broken.
pub const BROKEN: i32 = 1 << 31;
const GENERATION: i32 = !BROKEN;

/// The two words of a barrier.
pub struct Words<'a> {
  pub generation: &'a AtomicI32,
  pub arrived: &'a AtomicI32,
  /// Waiters park under the generation word's address.
  pub addr: usize,
}

/// What arriving decided.
enum Arrival {
  Done(i32),
  Queued(i32),
}

/// Under the lot lock: arrive. The last party leads and opens the next
/// generation; others queue (`Queued(generation)`).
fn arrive(
  lot: &mut Lot,
  w: &Words,
  parties: u32,
  waiter: impl FnOnce() -> std::sync::Arc<Waiter>,
) -> Arrival {
  let g = w.generation.load(Relaxed);
  if g & BROKEN != 0 {
    return Arrival::Done(STATUS_BROKEN);
  }
  if lot.take_broken(w.addr) {
    break_generation(lot, w, g); // a party died waiting in this generation
    return Arrival::Done(STATUS_BROKEN);
  }
  // The count fits the word's i32 (a header never holds more parties; a
  // direct call of the binding might pass more).
  let parties = parties.min(i32::MAX as u32);
  let arrived = (w.arrived.load(Relaxed).max(0) as u32).min(parties.saturating_sub(1));
  if arrived + 1 >= parties {
    w.arrived.store(0, Relaxed);
    w.generation.store(g.wrapping_add(1) & GENERATION, Release);
    lot.wake_all(w.addr, STATUS_OK);
    return Arrival::Done(STATUS_LEADER);
  }
  w.arrived.store(arrived as i32 + 1, Relaxed);
  lot.push_kind(w.addr, waiter(), 0, QueueKind::Barrier);
  Arrival::Queued(g)
}

/// Under the lot lock: a party of generation `g` gave up; break the barrier
/// (if that generation is still current) and wake its other parties.
fn break_generation(lot: &mut Lot, w: &Words, g: i32) {
  if w.generation.load(Relaxed) == g {
    w.generation.store(g | BROKEN, Release);
    w.arrived.store(0, Relaxed);
    lot.wake_all(w.addr, STATUS_BROKEN);
  }
}

/// Under the lot lock: if a party of the current generation died waiting
/// (recorded by the lot, which never touches the words), break it now.
fn apply_pending_break(lot: &mut Lot, w: &Words) {
  if lot.take_broken(w.addr) {
    let g = w.generation.load(Relaxed);
    if g & BROKEN == 0 {
      break_generation(lot, w, g);
    }
  }
}

/// Blocking wait: LEADER, OK (a follower), BROKEN, TIMEOUT or TERMINATED.
pub fn wait(
  w: &Words,
  parties: u32,
  me: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  let waiter = Waiter::sync(me, 0, Instant::now());
  let g = {
    let mut lot = parking::lock();
    match arrive(&mut lot, w, parties, || waiter.clone()) {
      Arrival::Done(st) => return st,
      Arrival::Queued(g) => g,
    }
  };
  match parking::wait(&waiter, w.addr, deadline, interrupted) {
    WaitEnd::Woken(STATUS_BROKEN) => {
      // Perhaps by a party that died waiting: write the break down now.
      apply_pending_break(&mut parking::lock(), w);
      STATUS_BROKEN
    }
    WaitEnd::Woken(st) => st,
    WaitEnd::GaveUp(mut lot, st) => {
      break_generation(&mut lot, w, g);
      st
    }
  }
}

/// Async wait: LEADER or BROKEN now, or PENDING with waiter `id` queued (its
/// outcome, OK or BROKEN, is posted to this thread's waker).
pub fn wait_async(w: &Words, parties: u32, me: u32, id: u32) -> i32 {
  let mut lot = parking::lock();
  match arrive(&mut lot, w, parties, || {
    Waiter::asynchronous(me, id, 0, Grant::Nothing)
  }) {
    Arrival::Done(st) => st,
    Arrival::Queued(_) => STATUS_PENDING,
  }
}

/// Withdraws async waiter `id` (timeout or abort), breaking the barrier.
/// True when it was still queued.
pub fn cancel(w: &Words, me: u32, id: u32) -> bool {
  let mut lot = parking::lock();
  apply_pending_break(&mut lot, w);
  let removed = lot.remove_async(w.addr, me, id);
  if removed {
    let g = w.generation.load(Relaxed);
    break_generation(&mut lot, w, g);
  }
  removed
}

/// Breaks the current generation (its waiters wake with BROKEN) and starts a
/// fresh, unbroken one.
pub fn reset(w: &Words) {
  let mut lot = parking::lock();
  lot.take_broken(w.addr); // the generation it broke ends here anyway
  let g = w.generation.load(Relaxed);
  w.arrived.store(0, Relaxed);
  w.generation.store(g.wrapping_add(1) & GENERATION, Release);
  lot.wake_all(w.addr, STATUS_BROKEN);
}

fn words(view: &Region) -> Result<Words<'_>> {
  Ok(Words {
    generation: view.word(STATE_WORD)?,
    arrived: view.word(STATE_WORD + 1)?,
    addr: view.addr(STATE_WORD)?,
  })
}

/// Arrives at the barrier in `view` (of `parties` parties) and blocks until the
/// generation completes, breaks, or `timeoutMs` passes. Returns a status code.
#[napi(catch_unwind)]
pub fn barrier_wait(env: Env, view: Region, parties: u32, timeout_ms: f64) -> Result<i32> {
  let w = words(&view)?;
  let me = threads::current()?;
  Ok(wait(
    &w,
    parties,
    me,
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  ))
}

/// Arrives at the barrier; LEADER/BROKEN now, or PENDING with waiter `id` queued.
#[napi(catch_unwind)]
pub fn barrier_wait_async(view: Region, parties: u32, id: u32) -> Result<i32> {
  let w = words(&view)?;
  Ok(wait_async(&w, parties, threads::current()?, id))
}

/// Withdraws async waiter `id`, breaking the barrier; true when it was queued.
#[napi(catch_unwind)]
pub fn barrier_cancel(view: Region, id: u32) -> Result<bool> {
  let w = words(&view)?;
  Ok(cancel(&w, threads::current()?, id))
}

/// Writes down a break that a party which died waiting left pending, so the
/// words read right (`isBroken`, `waiting`).
#[napi(catch_unwind)]
pub fn barrier_settle(view: Region) -> Result<()> {
  let w = words(&view)?;
  apply_pending_break(&mut parking::lock(), &w);
  Ok(())
}

/// Breaks the current generation and starts a fresh one.
#[napi(catch_unwind)]
pub fn barrier_reset(view: Region) -> Result<()> {
  reset(&words(&view)?);
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::AtomicU32;
  use std::sync::Arc;

  #[test]
  fn one_leader_per_generation() {
    let mem = Arc::new([AtomicI32::new(0), AtomicI32::new(0)]);
    let leaders = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..3u32)
      .map(|i| {
        let (mem, leaders) = (mem.clone(), leaders.clone());
        std::thread::spawn(move || {
          parking::lock().register(801 + i);
          let w = Words {
            generation: &mem[0],
            arrived: &mem[1],
            addr: &mem[0] as *const _ as usize,
          };
          for _ in 0..200 {
            match wait(&w, 3, 801 + i, parking::deadline(5_000.0), &mut || false) {
              STATUS_LEADER => {
                leaders.fetch_add(1, SeqCst);
              }
              STATUS_OK => {}
              other => panic!("unexpected {other}"),
            }
          }
        })
      })
      .collect();
    for h in handles {
      parking::joined(h);
    }
    assert_eq!(leaders.load(SeqCst), 200);
    assert_eq!(mem[0].load(SeqCst), 200);
  }

  #[test]
  fn a_timeout_breaks_the_barrier() {
    let mem = [AtomicI32::new(0), AtomicI32::new(0)];
    let w = Words {
      generation: &mem[0],
      arrived: &mem[1],
      addr: &mem[0] as *const _ as usize,
    };
    parking::lock().register(811);
    assert_eq!(
      wait(&w, 2, 811, parking::deadline(5.0), &mut || false),
      STATUS_TIMEOUT
    );
    assert_eq!(
      wait(&w, 2, 811, parking::deadline(5.0), &mut || false),
      STATUS_BROKEN
    );
    reset(&w);
    assert_eq!(mem[0].load(SeqCst) & BROKEN, 0);
  }

  #[test]
  fn a_hostile_generation_wraps_instead_of_overflowing() {
    // Any thread can write the generation word; the largest value must not
    // overflow (a panic in a debug build) when a generation ends.
    let mem = [AtomicI32::new(i32::MAX), AtomicI32::new(0)];
    let w = Words {
      generation: &mem[0],
      arrived: &mem[1],
      addr: &mem[0] as *const _ as usize,
    };
    reset(&w);
    assert_eq!(mem[0].load(SeqCst), i32::MIN & GENERATION);
    mem[0].store(i32::MAX & GENERATION, SeqCst);
    parking::lock().register(899);
    assert_eq!(
      wait(&w, 1, 899, parking::deadline(1_000.0), &mut || false),
      STATUS_LEADER
    );
  }
}
