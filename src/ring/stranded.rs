//! Queue steps left half done by a terminated thread, and who finishes them.
//!
//! A Queue push claims its slot (a compare-and-swap of the tail), writes the
//! value and then publishes the slot's stamp; a pop claims (the head), reads
//! the value and then frees the stamp (lib/queue.js). `worker.terminate()`
//! stops JS where it calls a function, and the stamp's `Atomics.store` is
//! such a call: a thread terminated right there leaves its slot claimed for
//! good. Every later item then waits behind that slot (a stranded push), or
//! producers find the slot full a lap later (a stranded pop): the queue is
//! wedged. Plain stores to a typed array are not such points, so a thread
//! notes what finishing the step takes with plain stores before that call,
//! and clears the note after it, in a record of its own:
//!
//! ```text
//! step record: 5 f64, one per thread (an ArrayBuffer JS made and writes,
//! which Rust reads at the thread's exit; see `queue_step_record`)
//!   [0] the Queue's objectKey (its state word's address / 8); 0: no open step
//!   [1] the stamp's word index in the Queue
//!   [2] the stamp the slot holds while the step is open
//!   [3] the stamp the step stores
//!   [4] the Queue's creation stamp (`crate::layout::CREATION_WORD`)
//! ```
//!
//! The thread's exit ([`strand_open_step`], from its env cleanup hook, on
//! that thread once its JS has stopped) moves an open step into a
//! process-wide table keyed by the stamp word's address. It does not touch
//! the Queue: the dying thread no longer has a view that keeps the memory
//! alive. A thread that finds a slot stuck (lib/queue.js, after its bounded
//! retries) passes its own view of the stamp to [`queue_rescue`], which
//! finishes a stranded step there if there is one and the Queue there is
//! the one the step was in (its creation stamp: memory freed and reused by a
//! new Queue holds the same stamp values, but not the same creation stamp),
//! with a compare-and-swap from the stamp the step left to the one it meant,
//! so a step finished since is left alone. A stranded step whose Queue is
//! dropped stays in the table (a few bytes per such termination). A rescued push
//! delivers its value; a rescued pop frees the slot, its value lost with its
//! thread, as if that thread had died just after the pop.

use std::collections::HashMap;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::LazyLock;

use napi::bindgen_prelude::ArrayBuffer;
use napi::{Env, Result};
use napi_derive::napi;
use parking_lot::Mutex;

use crate::layout::{CREATION_WORD, STATE_WORD};
use crate::region::Region;
use crate::threads::{self, Record};

/// Words of a step record.
const RECORD_WORDS: usize = 5;

/// A step a terminated thread left open.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Step {
  /// The creation stamp of the Queue it was in.
  creation: i32,
  /// The stamp the slot holds, and the one the step stores.
  from: i32,
  to: i32,
}

/// Stranded steps by stamp word address.
static STRANDED: LazyLock<Mutex<HashMap<usize, Step>>> =
  LazyLock::new(|| Mutex::new(HashMap::new()));

/// The calling thread's step record, a new ArrayBuffer of 40 bytes that JS
/// writes and Rust reads at the thread's exit. Once per thread, by shmkit's
/// loader.
#[napi(catch_unwind)]
pub fn queue_step_record(env: &Env) -> Result<ArrayBuffer<'_>> {
  threads::new_record(env, Record::QueueStep, RECORD_WORDS, "Queue step record")
}

/// Reads this thread's step record and, if a step is open, strands it:
/// called by the thread's exit.
pub fn strand_open_step() {
  let mut record = [0.0; RECORD_WORDS];
  if threads::read_record(Record::QueueStep, &mut record) {
    strand(record);
  }
}

/// Strands the step of `record`, if it holds an open one.
fn strand(record: [f64; RECORD_WORDS]) {
  if let Some((addr, step)) = stranded_step(record) {
    STRANDED.lock().insert(addr, step);
  }
}

/// The stamp word address and step of an open step record, or `None` when
/// none is open (or the record is not one shmkit wrote).
fn stranded_step([key, word, from, to, creation]: [f64; RECORD_WORDS]) -> Option<(usize, Step)> {
  let whole = |x: f64, max: f64| x.fract() == 0.0 && x >= 0.0 && x <= max;
  let stamp = |x: f64| {
    (x.fract() == 0.0 && x >= f64::from(i32::MIN) && x <= f64::from(i32::MAX)).then_some(x as i32)
  };
  if key == 0.0 || !whole(key, (usize::MAX >> 3) as f64) || !whole(word, f64::from(u32::MAX)) {
    return None;
  }
  // The object starts STATE_WORD words before its state word.
  let start = (key as usize).checked_mul(8)?.checked_sub(STATE_WORD * 4)?;
  let addr = start.checked_add((word as usize).checked_mul(4)?)?;
  let step = Step {
    creation: stamp(creation)?,
    from: stamp(from)?,
    to: stamp(to)?,
  };
  Some((addr, step))
}

/// Finishes the step a terminated thread left open at word `word` of the
/// Queue in `view`, if it left one there: true when that changed the word.
#[napi(catch_unwind)]
pub fn queue_rescue(view: Region, word: u32) -> Result<bool> {
  let cell = view.word(word as usize)?;
  let addr = view.addr(word as usize)?;
  let creation = view.word(CREATION_WORD as usize)?.load(SeqCst);
  let mut stranded = STRANDED.lock();
  match stranded.get(&addr) {
    Some(step) if step.creation == creation => {
      let step = *step;
      stranded.remove(&addr);
      Ok(
        cell
          .compare_exchange(step.from, step.to, SeqCst, SeqCst)
          .is_ok(),
      )
    }
    _ => Ok(false), // none, or another Queue's (this memory held another one then)
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::ptr::NonNull;
  use std::sync::atomic::AtomicI32;

  /// 64 words where an object would start: 8-aligned, as objects are.
  #[repr(C, align(8))]
  struct Object([AtomicI32; 64]);

  fn object() -> Box<Object> {
    Box::new(Object(std::array::from_fn(|_| AtomicI32::new(0))))
  }

  /// A Region over `words`.
  fn region(words: &[AtomicI32]) -> Region {
    // SAFETY: `words` outlives the region in each test, and is only accessed atomically.
    unsafe { Region::from_raw(NonNull::from(&words[0]), words.len()) }
  }

  fn key_of(words: &[AtomicI32]) -> f64 {
    ((&words[STATE_WORD] as *const AtomicI32 as usize) >> 3) as f64
  }

  /// As a thread that dies with a step open in the Queue whose creation
  /// stamp is `creation`: its exit reads this record.
  fn die_in_step(key: f64, creation: i32, word: u32, from: i32, to: i32) {
    strand([
      key,
      f64::from(word),
      f64::from(from),
      f64::from(to),
      f64::from(creation),
    ]);
  }

  #[test]
  fn a_stranded_step_is_finished_once_by_the_thread_stuck_on_its_word() {
    let object = object();
    let words = &object.0;
    let view = region(words);
    words[CREATION_WORD as usize].store(7, SeqCst);
    words[40].store(96, SeqCst); // free for the producer at position 96
    die_in_step(key_of(words), 7, 40, 96, 97); // a push claimed it and died
    assert!(
      !queue_rescue(region(words), 41).unwrap(),
      "another word: nothing"
    );
    assert!(queue_rescue(view, 40).unwrap());
    assert_eq!(words[40].load(SeqCst), 97, "published");
    assert!(!queue_rescue(region(words), 40).unwrap(), "once");
  }

  #[test]
  fn a_step_finished_meanwhile_is_left_alone() {
    let object = object();
    let words = &object.0;
    words[CREATION_WORD as usize].store(8, SeqCst);
    words[20].store(500, SeqCst); // it went on: not the stamp the step left
    die_in_step(key_of(words), 8, 20, 33, 16);
    assert!(!queue_rescue(region(words), 20).unwrap());
    assert_eq!(words[20].load(SeqCst), 500);
  }

  #[test]
  fn a_new_queue_in_the_memory_of_one_with_a_stranded_step_is_left_alone() {
    let object = object();
    let words = &object.0;
    words[CREATION_WORD as usize].store(9, SeqCst);
    words[30].store(3, SeqCst);
    die_in_step(key_of(words), 9, 30, 3, 4); // then that Queue is dropped
                                             // A new Queue in the same memory: the same stamp values, another creation stamp.
    words[CREATION_WORD as usize].store(10, SeqCst);
    assert!(!queue_rescue(region(words), 30).unwrap());
    assert_eq!(words[30].load(SeqCst), 3, "untouched");
  }

  #[test]
  fn no_open_step_and_bad_records_strand_nothing() {
    let step = |from, to| Step {
      creation: 1,
      from,
      to,
    };
    assert_eq!(stranded_step([0.0, 40.0, 1.0, 2.0, 1.0]), None);
    assert_eq!(stranded_step([0.5, 40.0, 1.0, 2.0, 1.0]), None);
    assert_eq!(stranded_step([1e6, -1.0, 1.0, 2.0, 1.0]), None);
    assert_eq!(stranded_step([1e6, 40.0, 1e10, 2.0, 1.0]), None);
    assert_eq!(stranded_step([1e6, 40.0, 1.0, 2.0, 0.5]), None);
    assert_eq!(
      stranded_step([1.0, 0.0, 1.0, 2.0, 1.0]),
      None,
      "before address 0"
    );
    assert_eq!(
      stranded_step([1e6, 40.0, -5.0, 2.0, 1.0]),
      Some((8_000_000 - 16 + 160, step(-5, 2)))
    );
  }
}
