//! Blocking for the rings (RingBuffer, Queue, Channel).
//!
//! The rings move their data entirely in JS: a push or pop is a few loads,
//! one store, exchange or CAS, and a TypedArray write, far cheaper than any
//! native call. Rust does what JS cannot do well: sleep until the other side
//! moves, and wake sleepers. The control words (layout in [`crate::layout`])
//! come in two forms. Where one thread at a time moves each index (the
//! RingBuffer: one producer, one consumer; the Channel: whoever holds that
//! side's lock), a side's waiting bit lives in the index word it waits on:
//!
//! ```text
//! RingBuffer, Channel (Channel positions count bytes)
//! head  (byte 64):  bit 31     PRODUCERS WAITING  someone sleeps until head moves
//!                   bits 0-30  consumer position, wraps at 2^31
//! tail  (byte 128): bit 31     CONSUMERS WAITING  someone sleeps until tail moves
//!                   bits 0-30  producer position, wraps at 2^31
//! state (byte 192): bit 0      CLOSED             no more pushes; pops drain, then end
//! Channel only:
//! tail  (byte 128): bit 0      CLOSING            set by close() before CLOSED (positions
//!                                                 are 4-aligned, so never part of one)
//! ```
//!
//! A side publishes its new position with one `Atomics.exchange`, which also
//! clears the bit; the old value's bit 31 tells it whether to call [`wake`].
//! A Channel sender publishes with a compare-exchange instead, which fails
//! once close() has set the tail's bit 0: a message whose sender checked
//! CLOSED just before close() is then not published (the send throws), so
//! a receiver that found the channel closed and drained has seen its end.
//! A Channel's claimed receiver publishes the head in steps, keeping its real
//! position in word 4 meanwhile (see [`crate::layout::RING_RECV_POS_WORD`]);
//! a Channel sender's wait therefore watches word 4 as well as the head, and
//! the receiver, just before each store to word 4, looks for the head's
//! waiting bit and publishes instead when it is set. So a sender does not
//! sleep on room the receiver has taken: a store that the receiver made
//! after looking, just as the sender set its bit, is seen by the sender's
//! check right after setting it or by its look after its spin, before it
//! parks (see [`crate::parking::wait`]; an async sender's first slices are
//! short for the same reason, see lib/ring-common.js).
//! Beside each index, on its cache line (words 17 and 33), JS keeps the token
//! of the object that last moved it, so that an object whose cached copy of
//! the other index may be laps old (other objects moved the ring meanwhile)
//! re-reads it; Rust never touches those words.
//! So a push or pop costs one atomic operation, and no wake-up is lost: a
//! sleeper sets the bit with a read-modify-write and then looks at the
//! position again, and the exchange that moves the position returns the bit.
//!
//! ```text
//! Queue (any number of threads move each index, by CAS)
//! head  (byte 64):  u32 consumer position, wraps
//! tail  (byte 128): u32 producer position, wraps
//! state (byte 192): bit 0  CLOSED
//!                   bit 1  CONSUMERS_WAITING  someone sleeps until tail moves
//!                   bit 2  PRODUCERS_WAITING  someone sleeps until head moves
//! ```
//!
//! Here a mover CASes the index, publishes the slot's stamp, and then reads
//! the state word (all sequentially consistent, as JS `Atomics` are), and
//! calls [`wake_one`] when the bit is set: one new item (or free slot) needs
//! one blocked thread (and every async waiter, whose thread may be busy), and
//! the bit stays set while others sleep. A mover that sees the next slot
//! ready too while the bit is set wakes the next sleeper (lib/queue.js), so
//! a wake spent on a sleeper that found nothing (an earlier slot not yet
//! published) is made up for. A Queue sleeper parks under the index
//! but watches the stamp of the slot it needs next, not the index: a mover
//! paused between its CAS and its publish has moved the index already, and
//! its publish must still reach the sleeper. In both forms sleepers use
//! [`FlaggedSleep`] with their bit.
//!
//! Nothing here reads or writes the data or the positions: Rust only sets and
//! clears the waiting bits (with read-modify-writes, so no position is ever
//! overwritten). A hostile value in these words can only make a wait end
//! early, a wake be needless, or (a cleared bit) a sleeper wait out its slice
//! before it looks again (a parked thread 20 ms, an async wait 50 ms).

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering::*};
use std::time::Instant;

use napi::{Env, Error, Result, Status};
use napi_derive::napi;

use crate::error::STATUS_OK;
use crate::layout::{RING_HEAD_WORD, RING_RECV_POS_WORD, RING_STATE_WORD, RING_TAIL_WORD};
use crate::parking::{self, FlaggedSleep};
use crate::region::Region;
use crate::threads;

pub mod stranded;

/// No more pushes.
pub const CLOSED: i32 = 1;
/// Consumers sleep until the tail moves.
pub const CONSUMERS_WAITING: i32 = 2;
/// Producers sleep until the head moves.
pub const PRODUCERS_WAITING: i32 = 4;

/// The CLOSED bit of a ring's state word, for JS.
#[napi]
pub const RING_CLOSED_BIT: u32 = CLOSED as u32;
/// The CONSUMERS_WAITING bit of a ring's state word, for JS.
#[napi]
pub const RING_CONSUMERS_WAITING_BIT: u32 = CONSUMERS_WAITING as u32;
/// The PRODUCERS_WAITING bit of a ring's state word, for JS.
#[napi]
pub const RING_PRODUCERS_WAITING_BIT: u32 = PRODUCERS_WAITING as u32;
/// A RingBuffer's waiting bit: bit 31 of the index word the sleeper waits on.
pub const INDEX_WAITING: i32 = i32::MIN;
/// The position bits of a RingBuffer's index word.
pub const INDEX_MASK: i32 = i32::MAX;
/// `INDEX_WAITING`, for JS: pass it as the flag of a RingBuffer's waits.
#[napi]
pub const RING_INDEX_WAITING_BIT: i32 = INDEX_WAITING;
/// `INDEX_MASK`, for JS: the position in a RingBuffer's head or tail word.
#[napi]
pub const RING_INDEX_MASK: u32 = INDEX_MASK as u32;

/// The words one wait or wake touches.
pub struct Words<'a> {
  /// The state word (CLOSED).
  pub state: &'a AtomicI32,
  /// The word waited on: the index word, or (Queue) the stamp of the slot
  /// the waiter needs next, which changes when the other side publishes
  /// that slot (a paused mover may have moved the index long before), or
  /// when the waiter's own side uses it first (see `own`).
  pub word: &'a AtomicI32,
  /// Where the waiting bit lives: `state`, or (RingBuffer) `word` itself.
  pub bits: &'a AtomicI32,
  /// The key sleepers park under: the index word's address.
  pub addr: usize,
  /// The waiting bit.
  pub flag: i32,
  /// The bits of `word` that count (the position of an index word).
  pub mask: i32,
  /// (Queue) The waiter's own side's index: its next slot is the one at this
  /// position, so once it moves the watched stamp may be stale; it counts as
  /// a change too. (Channel sender) Word 4, a claimed receiver's unpublished
  /// position. `None` when only `word` is watched.
  pub own: Option<&'a AtomicI32>,
}

impl Words<'_> {
  fn sleep(&self) -> FlaggedSleep<'_> {
    FlaggedSleep {
      flags: self.bits,
      bit: self.flag,
      addr: self.addr,
    }
  }

  /// The condition a sleeper waits for: the watched word moved (or the own
  /// index, see `own`), or the ring closed.
  fn moved_from(&self, expected: i32, own_expected: i32) -> impl Fn() -> bool + '_ {
    move || {
      (self.word.load(SeqCst) ^ expected) & self.mask != 0
        || self.own.is_some_and(|own| own.load(SeqCst) != own_expected)
        || self.state.load(SeqCst) & CLOSED != 0
    }
  }
}

/// Blocks until the word moves away from `expected`, the ring closes, the
/// deadline passes or the thread is terminated: OK, TIMEOUT or TERMINATED.
pub fn wait(
  w: &Words,
  expected: i32,
  own_expected: i32,
  me: u32,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> i32 {
  w.sleep().wait(
    &w.moved_from(expected, own_expected),
    me,
    deadline,
    interrupted,
  )
}

/// Async wait: OK now, or PENDING with waiter `id` queued.
pub fn wait_async(w: &Words, expected: i32, own_expected: i32, me: u32, id: u32) -> i32 {
  w.sleep()
    .wait_async(&w.moved_from(expected, own_expected), me, id)
}

/// Withdraws async waiter `id`: true when it was still queued.
pub fn cancel(w: &Words, me: u32, id: u32) -> bool {
  w.sleep().cancel(me, id)
}

/// Wakes every sleeper on the word; returns how many.
pub fn wake(w: &Words) -> u32 {
  w.sleep().wake()
}

/// Wakes the sleepers one new item (or one freed slot) needs: the first
/// parked thread and every async waiter; the others sleep on, the flag still
/// set for them. Returns how many.
pub fn wake_one(w: &Words) -> u32 {
  w.sleep().wake_one()
}

/// The words of a wait on ring word `index` (head or tail) with waiting bit
/// `flag`, watching word `watch` of the ring: `index` itself; a Channel
/// sender's `RING_RECV_POS_WORD` (then the head and word 4 are watched, word
/// 4 as the `own` word); or a Queue slot's stamp (any word of the view, only
/// ever read).
pub(crate) fn words(view: &Region, index: u32, flag: i32, watch: u32) -> Result<Words<'_>> {
  let expected_flag = match index {
    RING_HEAD_WORD => PRODUCERS_WAITING,
    RING_TAIL_WORD => CONSUMERS_WAITING,
    _ => {
      return Err(Error::new(
        Status::InvalidArg,
        format!("word {index} is not a ring index"),
      ))
    }
  };
  let state = view.word(RING_STATE_WORD as usize)?;
  let index_word = view.word(index as usize)?;
  let (bits, mask) = if flag == INDEX_WAITING {
    (index_word, INDEX_MASK)
  } else if flag == expected_flag {
    (state, -1)
  } else {
    return Err(Error::new(
      Status::InvalidArg,
      format!("flag {flag} does not go with word {index}"),
    ));
  };
  let (word, mask, own) = if watch == index {
    (index_word, mask, None)
  } else if index == RING_HEAD_WORD && watch == RING_RECV_POS_WORD && flag == INDEX_WAITING {
    (index_word, mask, Some(view.word(watch as usize)?))
  } else {
    let own = if index == RING_TAIL_WORD {
      RING_HEAD_WORD
    } else {
      RING_TAIL_WORD
    };
    (
      view.word(watch as usize)?,
      -1,
      Some(view.word(own as usize)?),
    )
  };
  Ok(Words {
    state,
    word,
    bits,
    addr: view.addr(index as usize)?,
    flag,
    mask,
    own,
  })
}

/// Blocks until word `watch` of the ring (the position in ring word `index`,
/// head or tail, when `watch` is `index`; else a Queue slot's stamp) is no
/// longer `expected`, the ring closes, or `timeoutMs` passes. Sleepers park
/// under `index`, whose movers wake them. `flag` is the waiter bit that goes
/// with `index` (`RING_INDEX_WAITING_BIT` for a RingBuffer or Channel). For a
/// stamp, `own` is the waiter's own index (the other of head and tail) as it
/// was when the stamp's slot was chosen: its moving ends the wait too. A
/// Channel sender passes `RING_RECV_POS_WORD` as `watch`, the head's position
/// as `expected` and word 4 as `own`: either moving ends its wait.
/// Returns a status code.
#[napi(catch_unwind)]
// A flat binding, called on every blocking ring wait: plain numbers, no
// options object to build in JS and unpack here.
#[allow(clippy::too_many_arguments)]
pub fn ring_wait(
  env: Env,
  view: Region,
  index: u32,
  flag: i32,
  watch: u32,
  expected: i32,
  own: i32,
  timeout_ms: f64,
) -> Result<i32> {
  let w = words(&view, index, flag, watch)?;
  let me = threads::current()?;
  let status = wait(
    &w,
    expected,
    own,
    me,
    parking::deadline(timeout_ms),
    &mut || threads::interrupted(&env),
  );
  // A Queue wakes one sleeper per item: one woken as its thread is being
  // terminated will not take it, so it passes the wake on to the next.
  if status == STATUS_OK && threads::interrupted(&env) {
    wake_one(&w);
  }
  Ok(status)
}

/// OK if word `watch` already moved from `expected` (or, see `ring_wait`,
/// the own index from `own`, or the ring closed), else PENDING with async
/// waiter `id` queued under ring word `index`.
#[napi(catch_unwind)]
pub fn ring_wait_async(
  view: Region,
  index: u32,
  flag: i32,
  watch: u32,
  expected: i32,
  own: i32,
  id: u32,
) -> Result<i32> {
  let w = words(&view, index, flag, watch)?;
  Ok(wait_async(&w, expected, own, threads::current()?, id))
}

/// Withdraws async waiter `id`; true when it was still queued.
#[napi(catch_unwind)]
pub fn ring_cancel(view: Region, index: u32, flag: i32, id: u32) -> Result<bool> {
  let w = words(&view, index, flag, index)?;
  Ok(cancel(&w, threads::current()?, id))
}

/// Wakes everyone sleeping on ring word `index`; returns how many.
#[napi(catch_unwind)]
pub fn ring_wake(view: Region, index: u32, flag: i32) -> Result<u32> {
  Ok(wake(&words(&view, index, flag, index)?))
}

/// Wakes, of those sleeping on ring word `index`, what one new item (or one
/// freed slot) needs: the first blocked thread, which takes it as soon as it
/// runs, and every async waiter (whose thread may be busy for long); the
/// others sleep on. For a Queue, whose sleepers all want the same thing.
/// Returns how many.
#[napi(catch_unwind)]
pub fn ring_wake_one(view: Region, index: u32, flag: i32) -> Result<u32> {
  Ok(wake_one(&words(&view, index, flag, index)?))
}

/// How many waiters are queued on ring word `index` now (threads parked in a
/// blocking wait, and async waits), for inspection; the answer may be stale
/// at once. A thread that is terminated leaves the queue.
#[napi(catch_unwind)]
pub fn ring_waiters(view: Region, index: u32, flag: i32) -> Result<u32> {
  let w = words(&view, index, flag, index)?;
  Ok(parking::lock().len(w.addr) as u32)
}

/// The next token for a RingBuffer or Channel object (see the module
/// documentation): unique in the process until 2^32 objects have been made,
/// never 0 (the token of no object).
#[napi(catch_unwind)]
pub fn ring_token() -> i32 {
  static NEXT: AtomicU32 = AtomicU32::new(1);
  loop {
    let token = NEXT.fetch_add(1, Relaxed);
    if token != 0 {
      return token as i32;
    }
  }
}

/// Closes the ring and wakes every sleeper on both sides. The flags are the
/// ring's waiting bits, as its waits pass them. `tail_mark` is set in the
/// tail word first (a Channel's CLOSING bit, see the table above; 0 for the
/// other rings), in this one call, so that no thread stops between the two.
#[napi(catch_unwind)]
pub fn ring_close(
  view: Region,
  producers_flag: i32,
  consumers_flag: i32,
  tail_mark: i32,
) -> Result<()> {
  let head = words(&view, RING_HEAD_WORD, producers_flag, RING_HEAD_WORD)?;
  let tail = words(&view, RING_TAIL_WORD, consumers_flag, RING_TAIL_WORD)?;
  if tail_mark != 0 {
    tail.word.fetch_or(tail_mark, SeqCst);
  }
  head.state.fetch_or(CLOSED, SeqCst);
  wake(&head);
  wake(&tail);
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;
  use std::time::Duration;

  /// Words over `mem` = [state, index]: the waiting bit in the state word
  /// (Queue form, `index_bits` false) or in the index word (RingBuffer form).
  fn words_over(mem: &[AtomicI32; 2], index_bits: bool) -> Words<'_> {
    Words {
      state: &mem[0],
      word: &mem[1],
      bits: if index_bits { &mem[1] } else { &mem[0] },
      addr: &mem[1] as *const _ as usize,
      flag: if index_bits {
        INDEX_WAITING
      } else {
        CONSUMERS_WAITING
      },
      mask: if index_bits { INDEX_MASK } else { -1 },
      own: None,
    }
  }

  #[test]
  fn wakes_when_the_word_moves_or_closes() {
    let mem = Arc::new([AtomicI32::new(0), AtomicI32::new(0)]);
    parking::lock().register(1001);
    let sleeper = {
      let mem = mem.clone();
      std::thread::spawn(move || {
        wait(
          &words_over(&mem, false),
          0,
          0,
          1001,
          parking::deadline(5_000.0),
          &mut || false,
        )
      })
    };
    while mem[0].load(SeqCst) & CONSUMERS_WAITING == 0 {
      std::thread::sleep(Duration::from_millis(1));
    }
    let w = words_over(&mem, false);
    mem[1].store(1, SeqCst);
    assert_eq!(wake(&w), 1);
    assert_eq!(parking::joined(sleeper), STATUS_OK);
    assert_eq!(mem[0].load(SeqCst), 0, "flag cleared");
    // A moved word: no sleep at all.
    assert_eq!(wait(&w, 0, 0, 1001, None, &mut || false), STATUS_OK);
    mem[0].store(CLOSED, SeqCst);
    assert_eq!(wait(&w, 1, 0, 1001, None, &mut || false), STATUS_OK);
  }

  #[test]
  fn wake_one_wakes_one_sleeper_and_keeps_the_flag_for_the_others() {
    let mem = Arc::new([AtomicI32::new(0), AtomicI32::new(0)]);
    let (tx, rx) = std::sync::mpsc::channel();
    for tid in [1004, 1005] {
      parking::lock().register(tid);
      let (mem, tx) = (mem.clone(), tx.clone());
      std::thread::spawn(move || {
        let st = wait(
          &words_over(&mem, false),
          0,
          0,
          tid,
          parking::deadline(5_000.0),
          &mut || false,
        );
        tx.send((tid, st)).unwrap();
      });
    }
    let w = words_over(&mem, false);
    parking::wait_queued(w.addr, 2);
    // The word stays put: a woken sleeper returns because it was woken, and
    // the other, whose condition stays false, keeps sleeping through its
    // slices (a moved word would end its wait at its next slice anyway).
    assert_eq!(wake_one(&w), 1);
    let (first, st) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(st, STATUS_OK);
    assert!(
      rx.recv_timeout(Duration::from_millis(60)).is_err(),
      "the other sleeps on"
    );
    assert_eq!(
      mem[0].load(SeqCst) & CONSUMERS_WAITING,
      CONSUMERS_WAITING,
      "flag kept"
    );
    assert_eq!(wake_one(&w), 1);
    let (second, st) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(st, STATUS_OK);
    assert_ne!(first, second);
    assert_eq!(
      mem[0].load(SeqCst) & CONSUMERS_WAITING,
      0,
      "flag cleared with the last"
    );
    assert_eq!(wake_one(&w), 0);
  }

  #[test]
  fn a_stamp_watcher_also_wakes_when_its_own_index_moves() {
    // mem: state, a slot's stamp (watched), the waiter's own index.
    let mem: &'static [AtomicI32; 3] = Box::leak(Box::new([
      AtomicI32::new(0),
      AtomicI32::new(5),
      AtomicI32::new(3),
    ]));
    let over = |mem: &'static [AtomicI32; 3]| Words {
      state: &mem[0],
      word: &mem[1],
      bits: &mem[0],
      addr: &mem[1] as *const _ as usize,
      flag: CONSUMERS_WAITING,
      mask: -1,
      own: Some(&mem[2]),
    };
    parking::lock().register(1003);
    let sleeper = std::thread::spawn(move || {
      wait(
        &over(mem),
        5,
        3,
        1003,
        parking::deadline(5_000.0),
        &mut || false,
      )
    });
    while mem[0].load(SeqCst) & CONSUMERS_WAITING == 0 {
      std::thread::sleep(Duration::from_millis(1));
    }
    // Another consumer took the watched slot's turn: the own index moved, the
    // stamp this waiter watches may never change again for it.
    mem[2].store(4, SeqCst);
    wake(&over(mem));
    assert_eq!(parking::joined(sleeper), STATUS_OK);
    assert_eq!(
      wait(&over(mem), 5, 3, 1003, None, &mut || false),
      STATUS_OK,
      "moved before the wait: no sleep"
    );
  }

  #[test]
  fn index_bit_form_sees_the_bit_and_moves_only() {
    // mem[0] state, mem[1] a RingBuffer tail at position 7.
    let mem = Arc::new([AtomicI32::new(0), AtomicI32::new(7)]);
    parking::lock().register(1002);
    let sleeper = {
      let mem = mem.clone();
      std::thread::spawn(move || {
        // Its own bit does not count as a move.
        wait(
          &words_over(&mem, true),
          7,
          0,
          1002,
          parking::deadline(5_000.0),
          &mut || false,
        )
      })
    };
    while mem[1].load(SeqCst) >= 0 {
      std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(mem[1].load(SeqCst) & INDEX_MASK, 7, "the position is kept");
    // The producer's publish: an exchange that returns the bit and clears it.
    let old = mem[1].swap(8, SeqCst);
    assert!(old < 0, "the exchange sees the sleeper's bit");
    let w = words_over(&mem, true);
    assert_eq!(wake(&w), 1);
    assert_eq!(parking::joined(sleeper), STATUS_OK);
    assert_eq!(mem[1].load(SeqCst), 8);
    // A timed-out sleeper leaves no bit behind.
    assert_eq!(
      wait(&w, 8, 0, 1002, parking::deadline(5.0), &mut || false),
      crate::error::STATUS_TIMEOUT
    );
    assert_eq!(mem[1].load(SeqCst), 8, "bit cleared by the leaving sleeper");
  }
}
