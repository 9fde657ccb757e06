//! Condvar: a condition variable used with a [`super::mutex`].
//!
//! ```text
//! byte 0            16                20           24
//!      +------------+-----------------+------------+
//!      | header     | waiters (i32)   | reserved   |
//!      +------------+-----------------+------------+
//!
//! waiters: how many waiters are queued in the parking lot for this condvar.
//!          Written only under the lot lock; JS `notify*` skips the native call
//!          when it reads 0. A stray nonzero value only costs a needless call;
//!          a stray 0 makes notifies pass the waiters by until a blocking
//!          waiter looks at it (every 20 ms slice of its sleep) and writes the
//!          true count back, or the next wait does. Notifies in between are
//!          lost, as any notify with nobody waiting is.
//! ```
//!
//! No lost wake-up: a waiter joins the condvar's queue *before* it releases
//! the mutex. A notifier that changed the predicate under the mutex therefore
//! runs after the waiter is queued, and finds it, even if the notify happens
//! between the release and the moment the waiter actually sleeps.
//!
//! A waiter always reacquires the mutex before it returns, whatever ended the
//! wait (notify, timeout, abort); a dead mutex owner reaches it as POISONED.

use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::Instant;

use napi::{Env, Result};
use napi_derive::napi;

use super::mutex;
use crate::error::*;
use crate::parking::{self, Grant, Lot, QueueKind, WaitEnd, Waiter};
use crate::region::Region;
use crate::threads;

fn publish(lot: &Lot, count: &AtomicI32, addr: usize) {
  count.store(lot.len(addr) as i32, SeqCst);
}

/// Holds the mutex word of the caller? Guards the wait entry.
fn holds(m: &AtomicI32, me: u32) -> bool {
  (m.load(Relaxed) & mutex::OWNER) as u32 == me
}

/// Blocking wait: releases the mutex, sleeps until notified, `deadline` or
/// termination, then reacquires the mutex. Returns OK (notified), TIMEOUT
/// (relocked anyway), POISONED (relocked; its owner had died), NOT_OWNER (the
/// caller did not hold the mutex) or TERMINATED (not relocked).
#[allow(clippy::too_many_arguments)]
pub fn wait(
  cv: &AtomicI32,
  cv_addr: usize,
  m: &AtomicI32,
  m_addr: usize,
  me: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  if !holds(m, me) {
    return STATUS_NOT_OWNER;
  }
  let w = Waiter::sync(me, 0, Instant::now());
  {
    let mut lot = parking::lock();
    lot.push_kind(cv_addr, w.clone(), 0, QueueKind::Plain);
    publish(&lot, cv, cv_addr);
  }
  mutex::unlock(m, m_addr, me);
  // At each slice of the sleep: a count that reads 0 while we are queued was
  // written by someone else (see the diagram); write the true one back.
  let mut look = || {
    if interrupted() {
      return true;
    }
    if cv.load(Relaxed) < 1 {
      publish(&parking::lock(), cv, cv_addr);
    }
    false
  };
  let outcome = match parking::wait(&w, cv_addr, deadline, &mut look) {
    WaitEnd::Woken(_) if interrupted() => {
      // Notified while our thread is being terminated: pass the notify on.
      notify(cv, cv_addr, false);
      return STATUS_TERMINATED;
    }
    WaitEnd::Woken(_) => STATUS_OK,
    WaitEnd::GaveUp(lot, st) => {
      publish(&lot, cv, cv_addr);
      st
    }
  };
  if outcome == STATUS_TERMINATED {
    return outcome;
  }
  match mutex::lock(m, m_addr, me, None, interrupted) {
    STATUS_OK => outcome,
    STATUS_TERMINATED if outcome == STATUS_OK => {
      // Notified, then terminated while taking the mutex back: the notify
      // never reaches JS, so pass it on.
      notify(cv, cv_addr, false);
      STATUS_TERMINATED
    }
    relock => relock,
  }
}

/// Async wait, first half: queues waiter `id` and releases the mutex. The
/// outcome (OK = notified) is posted to this thread's waker; JS then
/// reacquires the mutex. Returns PENDING or NOT_OWNER.
pub fn wait_async(
  cv: &AtomicI32,
  cv_addr: usize,
  m: &AtomicI32,
  m_addr: usize,
  me: u32,
  id: u32,
) -> i32 {
  if !holds(m, me) {
    return STATUS_NOT_OWNER;
  }
  {
    let mut lot = parking::lock();
    lot.push_kind(
      cv_addr,
      Waiter::asynchronous(me, id, 0, Grant::Notify),
      0,
      QueueKind::Plain,
    );
    publish(&lot, cv, cv_addr);
  }
  mutex::unlock(m, m_addr, me);
  STATUS_PENDING
}

/// Wakes one waiter (or all): returns how many were woken.
pub fn notify(cv: &AtomicI32, cv_addr: usize, all: bool) -> u32 {
  let mut lot = parking::lock();
  let n = if all {
    lot.wake_all(cv_addr, STATUS_OK)
  } else {
    lot.wake_front(cv_addr, STATUS_OK).map_or(0, |_| 1)
  };
  publish(&lot, cv, cv_addr);
  n
}

/// Withdraws async waiter `id` of thread `me`: true when it was still queued.
pub fn cancel(cv: &AtomicI32, cv_addr: usize, me: u32, id: u32) -> bool {
  let mut lot = parking::lock();
  let removed = lot.remove_async(cv_addr, me, id);
  publish(&lot, cv, cv_addr);
  removed
}

/// Waits on the condvar in `cv`, releasing and reacquiring the mutex in
/// `mutex` (which this thread must hold). Returns a status code.
#[napi(catch_unwind)]
pub fn condvar_wait(env: Env, cv: Region, mutex: Region, timeout_ms: f64) -> Result<i32> {
  let (c, c_addr) = cv.state()?;
  let (m, m_addr) = mutex.state()?;
  let me = threads::current()?;
  Ok(wait(
    c,
    c_addr,
    m,
    m_addr,
    me,
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  ))
}

/// Queues async waiter `id` on the condvar and releases the mutex.
#[napi(catch_unwind)]
pub fn condvar_wait_async(cv: Region, mutex: Region, id: u32) -> Result<i32> {
  let (c, c_addr) = cv.state()?;
  let (m, m_addr) = mutex.state()?;
  Ok(wait_async(c, c_addr, m, m_addr, threads::current()?, id))
}

/// Wakes one waiter, or all of them; returns how many were woken.
#[napi(catch_unwind)]
pub fn condvar_notify(cv: Region, all: bool) -> Result<u32> {
  let (c, c_addr) = cv.state()?;
  Ok(notify(c, c_addr, all))
}

/// Withdraws async waiter `id`; true when it had not been notified yet.
#[napi(catch_unwind)]
pub fn condvar_cancel(cv: Region, id: u32) -> Result<bool> {
  let (c, c_addr) = cv.state()?;
  Ok(cancel(c, c_addr, threads::current()?, id))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;
  use std::time::Duration;

  #[test]
  fn notify_between_release_and_sleep_is_not_lost() {
    // The waiter is queued before it releases the mutex, so a notifier that
    // takes the mutex right after the release always finds it.
    let m = Arc::new(AtomicI32::new(0));
    let cv = Arc::new(AtomicI32::new(0));
    let (m_addr, cv_addr) = (Arc::as_ptr(&m) as usize, Arc::as_ptr(&cv) as usize);
    parking::lock().register(601);
    parking::lock().register(602);
    for _ in 0..200 {
      assert_eq!(mutex::lock(&m, m_addr, 601, None, &mut || false), STATUS_OK);
      let waiter = {
        let (m, cv) = (m.clone(), cv.clone());
        std::thread::spawn(move || {
          // The waiter takes the mutex only after the main thread released it.
          assert_eq!(mutex::lock(&m, m_addr, 602, None, &mut || false), STATUS_OK);
          wait(
            &cv,
            cv_addr,
            &m,
            m_addr,
            602,
            parking::deadline(5_000.0),
            &mut || false,
          )
        })
      };
      assert_eq!(mutex::unlock(&m, m_addr, 601), STATUS_OK);
      // Notify as soon as the waiter has released the mutex.
      loop {
        if mutex::try_lock(&m, m_addr, 601) == STATUS_OK {
          if cv.load(SeqCst) > 0 {
            notify(&cv, cv_addr, false);
            assert_eq!(mutex::unlock(&m, m_addr, 601), STATUS_OK);
            break;
          }
          assert_eq!(mutex::unlock(&m, m_addr, 601), STATUS_OK);
        }
        std::thread::yield_now();
      }
      assert_eq!(
        parking::joined(waiter),
        STATUS_OK,
        "notified, not timed out"
      );
      assert_eq!(mutex::unlock(&m, m_addr, 602), STATUS_OK);
    }
  }

  #[test]
  fn notify_posted_to_a_thread_that_exits_goes_to_another_threads_waiter() {
    let m = AtomicI32::new(0);
    let cv = AtomicI32::new(0);
    let (m_addr, cv_addr) = (&m as *const _ as usize, &cv as *const _ as usize);
    for tid in [611, 612] {
      parking::lock().register(tid);
      crate::threads::tests::POSTS_QUEUE.lock().insert(tid);
    }
    // Two async waits of 611, then one of 612.
    for (me, id) in [(611, 1), (611, 2), (612, 3)] {
      assert_eq!(mutex::lock(&m, m_addr, me, None, &mut || false), STATUS_OK);
      assert_eq!(wait_async(&cv, cv_addr, &m, m_addr, me, id), STATUS_PENDING);
    }
    // The notify goes to 611's first wait, whose thread exits before its
    // event loop runs it: passed on to 612's wait, not 611's second.
    assert_eq!(notify(&cv, cv_addr, false), 1);
    parking::lock().thread_exit(611);
    assert!(
      parking::delivered(612, 3).is_some(),
      "612's wait was notified"
    );
    assert_eq!(parking::lock().len(cv_addr), 0);
  }

  #[test]
  fn notified_waiter_terminated_while_relocking_passes_the_notify_on() {
    let m = Arc::new(AtomicI32::new(0));
    let cv = Arc::new(AtomicI32::new(0));
    let (m_addr, cv_addr) = (Arc::as_ptr(&m) as usize, Arc::as_ptr(&cv) as usize);
    for tid in [621, 622, 623] {
      parking::lock().register(tid);
    }
    let terminating = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel();
    for (me, limit) in [(621, None), (622, Some(3_000.0))] {
      let (m, cv, terminating, tx) = (m.clone(), cv.clone(), terminating.clone(), tx.clone());
      std::thread::spawn(move || {
        assert_eq!(mutex::lock(&m, m_addr, me, None, &mut || false), STATUS_OK);
        let mut interrupted = || me == 621 && terminating.load(SeqCst);
        let st = wait(
          &cv,
          cv_addr,
          &m,
          m_addr,
          me,
          limit.and_then(parking::deadline),
          &mut interrupted,
        );
        if st != STATUS_TERMINATED {
          mutex::unlock(&m, m_addr, me);
        }
        tx.send((me, st)).unwrap();
      });
      parking::wait_queued(cv_addr, if me == 621 { 1 } else { 2 });
    }
    // 621 is notified, then waits to take the mutex back (held here), and is
    // terminated meanwhile: its notify goes on to 622.
    assert_eq!(mutex::lock(&m, m_addr, 623, None, &mut || false), STATUS_OK);
    assert_eq!(notify(&cv, cv_addr, false), 1);
    parking::wait_queued(m_addr, 1);
    terminating.store(true, SeqCst);
    assert_eq!(
      rx.recv_timeout(Duration::from_secs(5)),
      Ok((621, STATUS_TERMINATED))
    );
    assert_eq!(mutex::unlock(&m, m_addr, 623), STATUS_OK);
    assert_eq!(
      rx.recv_timeout(Duration::from_secs(5)),
      Ok((622, STATUS_OK)),
      "notified, not timed out"
    );
  }

  #[test]
  fn a_relock_carrying_a_notify_passes_it_on_when_its_thread_exits() {
    let m = AtomicI32::new(0);
    let cv = AtomicI32::new(0);
    let (m_addr, cv_addr) = (&m as *const _ as usize, &cv as *const _ as usize);
    for tid in [631, 632, 633] {
      parking::lock().register(tid);
      crate::threads::tests::POSTS_QUEUE.lock().insert(tid);
    }
    // 632 waits on the condvar (async); 633 holds the mutex.
    for (id, carried) in [(5, false), (6, true)] {
      assert_eq!(mutex::lock(&m, m_addr, 632, None, &mut || false), STATUS_OK);
      assert_eq!(
        wait_async(&cv, cv_addr, &m, m_addr, 632, id),
        STATUS_PENDING
      );
      assert_eq!(mutex::lock(&m, m_addr, 633, None, &mut || false), STATUS_OK);
      // 631's notified wait relocks, carrying the notify.
      assert_eq!(
        mutex::lock_async(&m, m_addr, 631, id, cv_addr),
        STATUS_PENDING
      );
      if carried {
        // The unlock hands the mutex to 631: posted, not delivered.
        assert_eq!(mutex::unlock(&m, m_addr, 633), STATUS_OK);
        assert_eq!(m.load(SeqCst) & mutex::OWNER, 631);
      }
      // 631 exits (queued, or with the grant on its way): the notify goes on
      // to 632's wait, and the mutex comes back.
      let mut lot = parking::lock();
      lot.thread_exit(631);
      drop(lot);
      assert!(
        parking::delivered(632, id).is_some(),
        "632's wait {id} was notified"
      );
      if !carried {
        assert_eq!(mutex::unlock(&m, m_addr, 633), STATUS_OK);
      }
      assert_eq!(
        mutex::lock(&m, m_addr, 633, None, &mut || false),
        STATUS_OK,
        "not poisoned"
      );
      assert_eq!(mutex::unlock(&m, m_addr, 633), STATUS_OK);
      parking::lock().register(631); // (a test shortcut: the same id again)
    }
  }

  #[test]
  fn a_carried_notify_is_passed_on_once_when_a_retry_requeues_the_relock() {
    let m = AtomicI32::new(0);
    let cv = AtomicI32::new(0);
    let (m_addr, cv_addr) = (&m as *const _ as usize, &cv as *const _ as usize);
    for tid in [640, 641, 642, 643, 644] {
      parking::lock().register(tid);
      crate::threads::tests::POSTS_QUEUE.lock().insert(tid);
    }
    // 641 and 642 wait on the condvar; 643 holds the mutex, and 640's
    // notified wait queues its relock behind it, carrying the notify.
    for (me, id) in [(641, 1), (642, 2)] {
      assert_eq!(mutex::lock(&m, m_addr, me, None, &mut || false), STATUS_OK);
      assert_eq!(wait_async(&cv, cv_addr, &m, m_addr, me, id), STATUS_PENDING);
    }
    assert_eq!(mutex::lock(&m, m_addr, 643, None, &mut || false), STATUS_OK);
    assert_eq!(
      mutex::lock_async(&m, m_addr, 640, 10, cv_addr),
      STATUS_PENDING
    );
    // 643 dies: the relock is woken with RETRY, and its delivery takes the
    // record. Meanwhile 644 takes the mutex over, so JS's retry queues a new
    // relock, carrying the same notify; then the call into JS fails.
    parking::lock().thread_exit(643);
    let record = parking::delivered(640, 10).expect("the RETRY carried the notify");
    assert_eq!(mutex::try_lock(&m, m_addr, 644), STATUS_POISONED);
    assert_eq!(
      mutex::lock_async(&m, m_addr, 640, 11, cv_addr),
      STATUS_PENDING
    );
    parking::undeliverable(record);
    parking::lock().thread_exit(640);
    let notified = [(641, 1), (642, 2)]
      .iter()
      .filter(|&&(tid, id)| parking::delivered(tid, id).is_some())
      .count();
    assert_eq!(notified, 1, "one notify, passed on once");
  }

  #[test]
  fn timeout_relocks() {
    let m = AtomicI32::new(0);
    let cv = AtomicI32::new(0);
    let (m_addr, cv_addr) = (&m as *const _ as usize, &cv as *const _ as usize);
    parking::lock().register(603);
    assert_eq!(
      wait(&cv, cv_addr, &m, m_addr, 603, None, &mut || false),
      STATUS_NOT_OWNER
    );
    assert_eq!(mutex::lock(&m, m_addr, 603, None, &mut || false), STATUS_OK);
    let t = Instant::now();
    let st = wait(
      &cv,
      cv_addr,
      &m,
      m_addr,
      603,
      parking::deadline(20.0),
      &mut || false,
    );
    assert_eq!(st, STATUS_TIMEOUT);
    assert!(t.elapsed() >= Duration::from_millis(19));
    assert_eq!(m.load(SeqCst) & mutex::OWNER, 603, "relocked");
    assert_eq!(cv.load(SeqCst), 0);
  }
}
