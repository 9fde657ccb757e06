//! The process-wide parking lot.
//!
//! Every blocking operation of shmkit waits here, keyed by the address of the
//! shared word it waits on (the same address in every worker, because they all
//! map the same `SharedArrayBuffer`). The lot never dereferences a key: the
//! word itself is read and written only by the operation that owns a live view
//! of it.
//!
//! * One queue per address, FIFO. A queue remembers the thread that owns the
//!   word when it is a lock (`owner`), for deadlock detection.
//! * Two kinds of waiters: *sync* waiters park their thread; *async* waiters
//!   belong to a thread's event loop and are told their outcome through that
//!   thread's waker (a thread-safe function, see [`crate::threads`]).
//! * A waiter's `state` is [`WAITING`] until a waker stores its outcome (a
//!   status code from [`crate::error`]) while holding the lot lock and removes
//!   it from its queue. A waiter that gives up (timeout, cancel, termination)
//!   removes itself under the same lock, so each waiter ends exactly once.
//! * Sync waiters spin briefly before parking (a park/unpark round trip costs
//!   tens of microseconds), and park in slices so that they notice their thread
//!   being terminated.
//! * When a thread exits, its async waiters are dropped, grants posted to its
//!   event loop and not yet delivered are given back (it never saw them), it
//!   stops being alive (so locks it holds are taken over as poisoned), and
//!   every waiter of a queue it touched is woken to re-examine its word.
//! * A sync waiter that steps again after waiting (woken to re-examine its
//!   word, or after a stray write) while its own thread is being terminated
//!   gives back whatever that gets it (its JS will never run again), which
//!   also passes a wake-up on.
//!
//! One global lock guards the lot. It is taken only on contended paths, and a
//! single lock keeps deadlock detection (which walks several queues) simple
//! and exact.

use std::collections::VecDeque;

// Fx hashing: the keys are word addresses and thread ids, not input anyone chooses.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, MutexGuard};

use crate::error::{
  STATUS_BROKEN, STATUS_DEADLOCK, STATUS_OK, STATUS_PENDING, STATUS_POISONED, STATUS_RETRY,
  STATUS_TERMINATED, STATUS_TIMEOUT,
};

/// A waiter's state before anyone has decided its outcome.
pub const WAITING: i32 = -1;

/// How long a sync waiter sleeps at most before it checks whether its thread
/// is being terminated (and whether the lock's owner is still alive).
pub const PARK_SLICE: Duration = Duration::from_millis(20);

/// How long a sync waiter polls its own state before it parks: a park and
/// unpark cost tens of microseconds on a small VM, a polled hand-off a few.
/// After a short busy spin the poll yields the CPU, so a partner thread that
/// shares the core can run and make the hand-off (pure spinning measured 88 µs
/// per condvar round trip with both threads on one CPU, yielding 5-8 µs; with
/// a CPU each, both ~3 µs).
const WAIT_SPIN: Duration = Duration::from_micros(20);
/// How long the poll busy-spins before it starts yielding: a hand-off from
/// another core usually lands within this, and yielding costs a system call.
const BUSY_SPIN: Duration = Duration::from_micros(4);

/// What a successful wake hands an async waiter. If the outcome can never be
/// delivered (the waiter's thread is terminated while the outcome is on its
/// way to its event loop), the lot records the grant as *lost* and gives it
/// back through the next operation on that address (see [`Lot::lose`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Grant {
  /// Nothing to give back (barrier, latch, ring waits).
  Nothing,
  /// A mutex, now owned by the waiter's thread.
  Lock,
  /// One read lock of an RwLock.
  ReadLock,
  /// The write lock of an RwLock, owned by the waiter's thread.
  WriteLock,
  /// `want` semaphore permits.
  Permits,
  /// A condvar notify.
  Notify,
}

/// A grant that could not be delivered, or the read locks a thread held when
/// it exited (see `crate::sync::read_holds`): what, where, to whom, and the
/// condvar notify it carried (see [`Waiter::pass_on`]), if any. `want` counts
/// permits, or read locks (0 and 1 both mean one).
#[derive(Clone, Copy, Debug)]
pub struct Lost {
  pub addr: usize,
  pub tid: u32,
  pub grant: Grant,
  pub want: u32,
  pub pass_on: usize,
  /// The creation stamp of the object the grant was taken on, or 0 (any):
  /// see `crate::sync::read_holds`.
  pub creation: i32,
}

/// How a waiter is told its outcome.
enum Wake {
  /// Unpark this thread.
  Thread(Thread),
  /// Post `(id, status)` to the waker of the waiter's thread.
  Async { id: u32 },
}

/// One thread (or one pending Promise of a thread) waiting on a word.
pub struct Waiter {
  /// shmkit thread id of the waiting thread.
  pub tid: u32,
  /// What the waiter asks for (permits for a semaphore; unused by a mutex).
  pub want: u32,
  /// When this waiter first started to wait (kept across retries, for fairness).
  pub since: Instant,
  /// What a successful wake hands an async waiter.
  grant: Grant,
  /// The address of a condvar whose notify this waiter carries (the
  /// mutex relock of an async condvar wait that was notified), or 0. If the
  /// waiter's thread exits before the waiter's outcome reaches its JS, the
  /// notify is passed on to that condvar's next waiter.
  pass_on: usize,
  wake: Wake,
  state: AtomicI32,
}

impl Waiter {
  /// A waiter that parks the current thread.
  pub fn sync(tid: u32, want: u32, since: Instant) -> Arc<Waiter> {
    Arc::new(Waiter {
      tid,
      want,
      since,
      grant: Grant::Nothing,
      pass_on: 0,
      wake: Wake::Thread(std::thread::current()),
      state: AtomicI32::new(WAITING),
    })
  }

  /// A waiter whose outcome is posted to thread `tid`'s waker under `id`;
  /// `grant` says what a successful wake hands it.
  pub fn asynchronous(tid: u32, id: u32, want: u32, grant: Grant) -> Arc<Waiter> {
    Self::carrying(tid, id, want, grant, 0)
  }

  /// [`Waiter::asynchronous`], carrying the notify of the condvar at
  /// `pass_on` (0: none; see the field).
  pub fn carrying(tid: u32, id: u32, want: u32, grant: Grant, pass_on: usize) -> Arc<Waiter> {
    Arc::new(Waiter {
      tid,
      want,
      since: Instant::now(),
      grant,
      pass_on,
      wake: Wake::Async { id },
      state: AtomicI32::new(WAITING),
    })
  }

  /// True for a Promise-backed waiter.
  pub fn is_async(&self) -> bool {
    matches!(self.wake, Wake::Async { .. })
  }

  /// The outcome, or [`WAITING`].
  pub fn status(&self) -> i32 {
    self.state.load(Ordering::Acquire)
  }
}

/// What a queue's waiters wait for, which decides what a thread's exit does
/// to them (see [`Lot::thread_exit`]).
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub enum QueueKind {
  /// A lock with an owner: when the owner dies, or a queued waiter dies (it
  /// may have been what others waited behind), every waiter re-examines the word.
  #[default]
  Lock,
  /// Permits served in order: a dead waiter may have blocked the ones behind it.
  Permits,
  /// Independent waiters (condition variables, latches): a dead waiter is
  /// just dropped.
  Plain,
  /// A barrier's parties: a dead one breaks its generation. The others are
  /// woken with [`STATUS_BROKEN`] at once, and the break is recorded for the
  /// barrier's next operation to write into its word (see [`Lot::take_broken`]).
  Barrier,
  /// An RwLock's writers (keyed at the state word's address + 1): like
  /// `Lock`, and when one of them dies the readers queued behind it (keyed at
  /// the address itself) re-examine the word too.
  RwWriters,
}

/// The waiters of one address.
#[derive(Default)]
struct Queue {
  /// For a lock: the thread that owns the word while waiters are queued
  /// (0 when unlocked or not a lock). Kept exact: while a lock word has its
  /// waiters bit set, its owner changes only under the lot lock.
  owner: u32,
  kind: QueueKind,
  waiters: VecDeque<Arc<Waiter>>,
}

/// The whole lot; see the module documentation.
/// A set of thread ids, one bit each: a process that starts and ends workers
/// for as long as it runs keeps one bit per worker it ever had (a hash set
/// would keep some 8 to 16 bytes each). Grows to the highest id inserted.
#[derive(Default)]
struct TidBits(Vec<u64>);

impl TidBits {
  fn insert(&mut self, tid: u32) {
    let (word, bit) = ((tid / 64) as usize, tid % 64);
    if self.0.len() <= word {
      self.0.resize(word + 1, 0);
    }
    self.0[word] |= 1 << bit;
  }

  fn contains(&self, tid: u32) -> bool {
    self
      .0
      .get((tid / 64) as usize)
      .is_some_and(|w| w & (1 << (tid % 64)) != 0)
  }
}

#[derive(Default)]
pub struct Lot {
  queues: HashMap<usize, Queue>,
  /// Threads that registered and have not exited.
  live: HashSet<u32>,
  /// For deadlock detection: the word each sync-blocked thread waits on.
  blocked_on: HashMap<u32, usize>,
  /// Grants that were never delivered, by address, waiting to be given back
  /// by the next operation on that address (which holds a live view of it).
  lost: HashMap<usize, Vec<Lost>>,
  /// Threads that registered and have exited (ids are never reused).
  exited: TidBits,
  /// Barriers (by address) whose generation a dead party broke, waiting for
  /// the next operation on them to set their BROKEN bit.
  broken: HashSet<usize>,
}

/// Grants posted to an async waiter's event loop and not delivered yet, by
/// (thread, waiter id). The thread's delivery takes its entry before it
/// calls into JS (see [`delivered`]); a thread that exits first gives them
/// back (see [`Lot::thread_exit`]), so each is either delivered or given
/// back, once. A lock of its own, so that a delivery need not take the lot's;
/// taken after the lot's where both are held.
static UNDELIVERED: LazyLock<Mutex<HashMap<(u32, u32), Lost>>> =
  LazyLock::new(|| Mutex::new(HashMap::default()));

/// Takes the record of the grant posted to thread `tid`'s async waiter
/// `id`: called by that thread's event loop as it delivers the outcome (the
/// grant is then the delivery's to hand to JS, or to give back with
/// [`Lot::lose`] if it cannot), and by [`Lot::finish`] when the post failed.
/// `None` when the thread's exit has given it back already.
pub fn delivered(tid: u32, id: u32) -> Option<Lost> {
  UNDELIVERED.lock().remove(&(tid, id))
}

/// A delivery whose call into JS failed (its thread is being terminated):
/// gives back what its record held, as [`Lot::lose`] does. JS may have run
/// part of the outcome before it failed: a RETRY of a relock that carries a
/// condvar notify queues the next relock, carrying the same notify, whose
/// own drop at the thread's exit passes it on. Then this one does not (one
/// notify, passed on once).
pub fn undeliverable(mut lost: Lost) {
  let mut lot = lock();
  if lost.pass_on != 0 && lot.carries(lost.tid, lost.pass_on) {
    lost.pass_on = 0;
  }
  lot.lose(lost);
}

/// How many threads have exited so far (wrapping), readable without the lot:
/// a change says that something a dead thread held may be waiting to be
/// reclaimed. Moved under the lot lock, after the thread stops being alive.
static EXITS: AtomicU32 = AtomicU32::new(0);

/// The count of thread exits so far (see `EXITS`).
pub fn exits() -> u32 {
  EXITS.load(Ordering::SeqCst)
}

/// How many addresses have lost grants waiting to be given back, readable
/// without the lot (kept under its lock): a `try` operation that would fail
/// looks here before it pays for the lot.
static LOST_ADDRS: AtomicUsize = AtomicUsize::new(0);

/// True when some grant, anywhere, waits to be given back (see [`Lot::lose`]).
pub fn any_lost() -> bool {
  LOST_ADDRS.load(Ordering::SeqCst) != 0
}

static LOT: LazyLock<Mutex<Lot>> = LazyLock::new(|| Mutex::new(Lot::default()));

/// Locks the lot.
pub fn lock() -> MutexGuard<'static, Lot> {
  LOT.lock()
}

impl Lot {
  /// Marks `tid` as a live thread.
  pub fn register(&mut self, tid: u32) {
    self.live.insert(tid);
  }

  /// True while thread `tid` is registered and has not exited.
  pub fn is_alive(&self, tid: u32) -> bool {
    self.live.contains(&tid)
  }

  /// True when thread `tid` registered and has exited since: never for an
  /// id no thread ever had (a forged owner word).
  pub fn has_exited(&self, tid: u32) -> bool {
    self.exited.contains(tid)
  }

  /// Number of waiters queued on `addr`.
  pub fn len(&self, addr: usize) -> usize {
    self.queues.get(&addr).map_or(0, |q| q.waiters.len())
  }

  /// Records the owner of the lock word at `addr`, if anyone waits on it.
  pub fn set_owner(&mut self, addr: usize, tid: u32) {
    if let Some(q) = self.queues.get_mut(&addr) {
      q.owner = tid;
    }
  }

  /// Queues `w` at the back of `addr`'s queue. `owner` is the lock word's
  /// current owner (0 for words that are not locks). A sync waiter is also
  /// recorded as blocked on `addr`.
  pub fn push(&mut self, addr: usize, w: Arc<Waiter>, owner: u32) {
    self.push_kind(addr, w, owner, QueueKind::Lock);
  }

  /// [`Lot::push`] for a queue of another [`QueueKind`].
  pub fn push_kind(&mut self, addr: usize, w: Arc<Waiter>, owner: u32, kind: QueueKind) {
    if !w.is_async() {
      self.blocked_on.insert(w.tid, addr);
    }
    let q = self.queues.entry(addr).or_default();
    q.owner = owner;
    q.kind = kind;
    q.waiters.push_back(w);
  }

  /// Removes every waiter of `addr` and tells each `status`; returns how many.
  pub fn wake_all(&mut self, addr: usize, status: i32) -> u32 {
    let mut n = 0;
    while self.wake_front(addr, status).is_some() {
      n += 1;
    }
    n
  }

  /// Removes the first sync waiter of `addr` and every async waiter, and
  /// tells each `status`; returns how many. For one new item that any
  /// waiter can take: a parked thread takes it as soon as it runs, while an
  /// async waiter's thread may be busy for long, so none of those is relied
  /// on alone (each looks when its event loop comes round).
  pub fn wake_one_sync_and_async(&mut self, addr: usize, status: i32) -> u32 {
    let Some(q) = self.queues.get_mut(&addr) else {
      return 0;
    };
    let mut woken = Vec::new();
    let mut sync_woken = false;
    q.waiters.retain(|w| {
      let wake = w.is_async() || !sync_woken;
      sync_woken |= wake && !w.is_async();
      if wake {
        woken.push(Arc::clone(w));
      }
      !wake
    });
    if q.waiters.is_empty() {
      self.queues.remove(&addr);
    }
    for w in &woken {
      self.finish(addr, w, status);
    }
    woken.len() as u32
  }

  /// The first waiter of `addr`'s queue.
  pub fn front(&self, addr: usize) -> Option<&Arc<Waiter>> {
    self.queues.get(&addr).and_then(|q| q.waiters.front())
  }

  /// The waiters of `addr`, front first.
  pub fn waiters(&self, addr: usize) -> impl Iterator<Item = &Arc<Waiter>> {
    self
      .queues
      .get(&addr)
      .into_iter()
      .flat_map(|q| q.waiters.iter())
  }

  /// Removes the first waiter of `addr` and tells it `status`.
  pub fn wake_front(&mut self, addr: usize, status: i32) -> Option<Arc<Waiter>> {
    let q = self.queues.get_mut(&addr)?;
    let w = q.waiters.pop_front()?;
    if q.waiters.is_empty() {
      self.queues.remove(&addr);
    }
    self.finish(addr, &w, status);
    Some(w)
  }

  /// A lock was just handed to an async waiter of thread `tid`. If that
  /// thread is also blocked in a sync wait on one of `addrs` (the same lock),
  /// it now waits for itself: its event loop, which would receive the lock,
  /// cannot run while it waits. That wait ends with [`STATUS_DEADLOCK`].
  pub fn refuse_self_wait(&mut self, tid: u32, addrs: &[usize]) {
    let Some(&at) = self.blocked_on.get(&tid) else {
      return;
    };
    if !addrs.contains(&at) {
      return;
    }
    if let Some(w) = self.remove_where(at, |w| w.tid == tid && !w.is_async()) {
      self.finish(at, &w, STATUS_DEADLOCK);
    }
  }

  /// Removes `w` from `addr`'s queue without waking it. False when it is no
  /// longer queued (a waker got to it first).
  pub fn remove(&mut self, addr: usize, w: &Arc<Waiter>) -> bool {
    self.remove_where(addr, |x| Arc::ptr_eq(x, w)).is_some()
  }

  /// Removes the async waiter `id` of thread `tid` from `addr`'s queue.
  pub fn remove_async(&mut self, addr: usize, tid: u32, id: u32) -> bool {
    self
      .remove_where(addr, |w| {
        w.tid == tid && matches!(w.wake, Wake::Async { id: wid } if wid == id)
      })
      .is_some()
  }

  fn remove_where(
    &mut self,
    addr: usize,
    pred: impl Fn(&Arc<Waiter>) -> bool,
  ) -> Option<Arc<Waiter>> {
    let q = self.queues.get_mut(&addr)?;
    let pos = q.waiters.iter().position(pred)?;
    let w = q.waiters.remove(pos)?;
    if q.waiters.is_empty() {
      self.queues.remove(&addr);
    }
    if !w.is_async() {
      self.blocked_on.remove(&w.tid);
    }
    Some(w)
  }

  /// Stores `status` as `w`'s outcome and wakes it. `w` must already be out
  /// of `addr`'s queue.
  fn finish(&mut self, addr: usize, w: &Waiter, status: i32) {
    w.state.store(status, Ordering::Release);
    match &w.wake {
      Wake::Thread(t) => {
        self.blocked_on.remove(&w.tid);
        t.unpark();
      }
      Wake::Async { id } => {
        let granted =
          (status == STATUS_OK || status == STATUS_POISONED) && w.grant != Grant::Nothing;
        // What must not be lost if the outcome never reaches JS: a grant, or
        // a carried notify (whatever the outcome: a RETRY carries it too).
        let recorded = granted || w.pass_on != 0;
        if recorded {
          let lost = Lost {
            addr,
            tid: w.tid,
            grant: if granted { w.grant } else { Grant::Nothing },
            want: w.want,
            pass_on: w.pass_on,
            creation: 0,
          };
          // shmkit's JS takes ids from a per-thread counter and keeps each
          // taken while its outcome is on its way. An id used again before
          // then (a direct call of the binding) would make two outcomes
          // under one name, of which only one could be delivered: this one
          // is not posted, and what it grants is given back.
          let mut undelivered = UNDELIVERED.lock();
          if undelivered.contains_key(&(w.tid, *id)) {
            drop(undelivered);
            self.lose(lost);
            return;
          }
          undelivered.insert((w.tid, *id), lost);
        }
        if !crate::threads::post(w.tid, *id, status, recorded) {
          if let Some(lost) = delivered(w.tid, *id) {
            self.lose(lost);
          }
        }
      }
    }
  }

  /// True when an async waiter of thread `tid` is queued carrying the
  /// notify of the condvar at `pass_on`.
  fn carries(&self, tid: u32, pass_on: usize) -> bool {
    self
      .queues
      .values()
      .flat_map(|q| q.waiters.iter())
      .any(|w| w.tid == tid && w.pass_on == pass_on && w.is_async())
  }

  /// A grant that will never reach its waiter. A notify is passed on at once;
  /// anything else is recorded under its address, and that address's waiters
  /// are woken to retry, so that the next operation there (holding a live
  /// view of the memory) gives it back with [`Lot::take_lost`]. The lot
  /// itself never touches the memory.
  pub fn lose(&mut self, lost: Lost) {
    if lost.pass_on != 0 {
      self.wake_front(lost.pass_on, STATUS_OK);
    }
    match lost.grant {
      Grant::Nothing => return,
      Grant::Notify => {
        self.wake_front(lost.addr, STATUS_OK);
        return;
      }
      _ => {}
    }
    // An RwLock's readers queue at its state word's address and its writers
    // one byte further (see src/sync/rwlock.rs): its losses are recorded at
    // the state word, where its every operation looks, and both queues wake.
    let at = match lost.grant {
      Grant::WriteLock => lost.addr - 1,
      _ => lost.addr,
    };
    self
      .lost
      .entry(at)
      .or_default()
      .push(Lost { addr: at, ..lost });
    LOST_ADDRS.store(self.lost.len(), Ordering::SeqCst);
    self.wake_all(at, STATUS_RETRY);
    if matches!(lost.grant, Grant::ReadLock | Grant::WriteLock) {
      self.wake_all(at + 1, STATUS_RETRY);
    }
  }

  /// Drops the grants lost, and the barrier breaks recorded, at addresses in
  /// `range` (memory where a new object was just made: they belonged to the
  /// one before).
  pub fn forget_lost(&mut self, range: std::ops::Range<usize>) {
    if !self.lost.is_empty() {
      self.lost.retain(|addr, _| !range.contains(addr));
      LOST_ADDRS.store(self.lost.len(), Ordering::SeqCst);
    }
    if !self.broken.is_empty() {
      self.broken.retain(|addr| !range.contains(addr));
    }
  }

  /// True (once) when a party of the barrier at `addr` died waiting: the
  /// caller, which holds a view of the barrier, breaks its generation.
  pub fn take_broken(&mut self, addr: usize) -> bool {
    !self.broken.is_empty() && self.broken.remove(&addr)
  }

  /// True when grants lost at `addr` wait to be given back.
  pub fn has_lost(&self, addr: usize) -> bool {
    self.lost.contains_key(&addr)
  }

  /// The grants lost at `addr`, for the caller to give back now.
  pub fn take_lost(&mut self, addr: usize) -> Vec<Lost> {
    if self.lost.is_empty() {
      return Vec::new();
    }
    let taken = self.lost.remove(&addr).unwrap_or_default();
    LOST_ADDRS.store(self.lost.len(), Ordering::SeqCst);
    taken
  }

  /// True when thread `me` blocking on a lock owned by `owner` would close a
  /// cycle of threads, each blocked on a lock the next one owns.
  pub fn would_deadlock(&self, me: u32, owner: u32) -> bool {
    let mut t = owner;
    // A cycle through `me` has at most one step per blocked thread.
    for _ in 0..=self.blocked_on.len() {
      if t == me {
        return true;
      }
      let Some(addr) = self.blocked_on.get(&t) else {
        return false;
      };
      t = self.queues.get(addr).map_or(0, |q| q.owner);
      if t == 0 {
        return false;
      }
    }
    false
  }

  /// Forgets thread `tid`: it is no longer alive, its async waiters are
  /// dropped, and the grants posted to it but not yet delivered are given
  /// back (see [`Lot::lose`]). Every waiter of a lock it owned, and of a
  /// lock or permit queue it waited in, is woken with [`STATUS_RETRY`] to
  /// re-examine its word (taking over a lock whose owner died, or claiming
  /// what a dead waiter was queued ahead of them for). Waiters of
  /// [`QueueKind::Plain`] queues are independent and stay queued.
  pub fn thread_exit(&mut self, tid: u32) {
    if self.live.remove(&tid) {
      self.exited.insert(tid);
    }
    EXITS.fetch_add(1, Ordering::SeqCst);
    self.blocked_on.remove(&tid);
    let mut touched = Vec::new();
    let mut barriers = Vec::new();
    let mut carried = Vec::new(); // condvar notifies its dropped waiters carried
    for (addr, q) in self.queues.iter_mut() {
      let before = q.waiters.len();
      // Its async waiters. (It has no sync waiter: a thread's exit runs on
      // that thread, once its JS has returned from every native call. A sync
      // waiter under its id would be another thread's, left in place.)
      q.waiters.retain(|w| {
        let drop = w.tid == tid && w.is_async();
        if drop && w.pass_on != 0 {
          carried.push(w.pass_on);
        }
        !drop
      });
      let removed = q.waiters.len() != before;
      if removed && q.kind == QueueKind::Barrier {
        barriers.push(*addr);
      } else if q.owner == tid || (removed && q.kind != QueueKind::Plain) {
        touched.push(*addr);
      }
    }
    // Grants on their way to the thread's event loop, which will never run
    // them: given back (after its own waiters are gone, so that a notify is
    // passed to another thread's waiter). A lock handed to the thread is
    // then released by the next operation on it, such as the waiters woken
    // here (each gives back what is lost at its word before it looks at the
    // owner), instead of taken over as poisoned: the thread never saw it.
    let undelivered: Vec<Lost> = UNDELIVERED
      .lock()
      .extract_if(|&(t, _), _| t == tid)
      .map(|(_, lost)| lost)
      .collect();
    for lost in undelivered {
      self.lose(lost);
    }
    for condvar in carried {
      self.wake_front(condvar, STATUS_OK);
    }
    for addr in barriers {
      self.broken.insert(addr);
      self.wake_all(addr, STATUS_BROKEN);
    }
    let readers: Vec<usize> = touched
      .iter()
      .filter(|a| {
        self
          .queues
          .get(a)
          .is_some_and(|q| q.kind == QueueKind::RwWriters)
      })
      .map(|a| a - 1)
      .collect();
    self.queues.retain(|_, q| !q.waiters.is_empty());
    for addr in touched.into_iter().chain(readers) {
      self.wake_all(addr, STATUS_RETRY);
    }
  }
}

/// The end of a blocking acquire (a lock, read or write lock, permits)
/// with outcome `st`: when the caller has waited (`waited`: woken, or
/// stepping again after a stray write; an RwLock read passes true at once,
/// see `crate::sync::read_holds`) and what it took is now its (`st` OK or
/// POISONED) while its thread is being terminated, JS will never see it. `give_back` then returns it (an unlock or a grant, which
/// also passes on a RETRY wake-up the caller may have been the only one
/// woken with), and the call ends TERMINATED instead of leaving it to a
/// dead thread (a false poison, or lost permits).
pub fn kept(
  st: i32,
  waited: bool,
  interrupted: &mut dyn FnMut() -> bool,
  give_back: impl FnOnce(),
) -> i32 {
  if waited && (st == STATUS_OK || st == STATUS_POISONED) && interrupted() {
    give_back();
    return STATUS_TERMINATED;
  }
  st
}

/// For tests: a fresh shared word (0), its address (its parking key), and
/// threads `tids` registered as live.
#[cfg(test)]
pub fn test_word(tids: &[u32]) -> (std::sync::Arc<AtomicI32>, usize) {
  let word = std::sync::Arc::new(AtomicI32::new(0));
  let addr = std::sync::Arc::as_ptr(&word) as usize;
  let mut lot = lock();
  for &tid in tids {
    lot.register(tid);
  }
  (word, addr)
}

/// For tests: waits until at least `n` waiters are queued on `addr`, and
/// panics (failing the test) if they are not within 5 s.
#[cfg(test)]
pub fn wait_queued(addr: usize, n: usize) {
  let until = Instant::now() + Duration::from_secs(5);
  while lock().len(addr) < n {
    assert!(
      Instant::now() < until,
      "{n} waiters were not queued at {addr:#x} within 5 s"
    );
    std::thread::sleep(Duration::from_millis(1));
  }
}

/// For tests: the result of thread `h`, which must end within 30 s (else
/// the test fails rather than hangs); a panic in it fails the test too.
#[cfg(test)]
pub fn joined<T: Send + 'static>(h: std::thread::JoinHandle<T>) -> T {
  let (tx, rx) = std::sync::mpsc::channel();
  std::thread::spawn(move || tx.send(h.join()));
  match rx.recv_timeout(Duration::from_secs(30)) {
    Ok(Ok(v)) => v,
    Ok(Err(panic)) => std::panic::resume_unwind(panic),
    Err(_) => panic!("a test thread did not end within 30 s"),
  }
}

/// How a sync wait ended.
pub enum WaitEnd {
  /// A waker decided the outcome (a status code).
  Woken(i32),
  /// The waiter gave up with this status ([`STATUS_TIMEOUT`] or
  /// [`STATUS_TERMINATED`]) and is out of its queue; the lot is still locked
  /// so the caller can fix up its word (clear a waiters bit, re-grant).
  GaveUp(MutexGuard<'static, Lot>, i32),
}

/// [`wait`] for a waiter that relies on `bit` of `word` staying set (it tells
/// the lock's releaser to come to the lot). At each slice it also looks at
/// the word: a stray write that cleared the bit would let a release pass the
/// waiter by, so the wait gives up, as [`STATUS_TERMINATED`] with the second
/// value true, and the caller steps again instead of sleeping on.
pub fn wait_flagged(
  w: &Arc<Waiter>,
  addr: usize,
  deadline: Option<Instant>,
  word: &AtomicI32,
  bit: i32,
  interrupted: &mut dyn FnMut() -> bool,
) -> (WaitEnd, bool) {
  let mut stray = false;
  let mut look = || {
    if interrupted() {
      return true;
    }
    stray = word.load(Ordering::Relaxed) & bit == 0;
    stray
  };
  let end = wait(w, addr, deadline, &mut look);
  (end, stray)
}

/// Blocks the calling thread until `w` (already queued on `addr`, lot
/// unlocked) is woken, `deadline` passes, or `interrupted()` says the thread is
/// being torn down (checked once the spinning is over and then every
/// [`PARK_SLICE`]). Callers' `interrupted` also looks at their condition, so
/// one that came true unannounced while the waiter spun (a waker that looked
/// for waiters just before this one announced itself and made its change
/// just after this one looked, see `#take` in `lib/channel.js`) ends the
/// wait before the first park, not a slice later.
pub fn wait(
  w: &Arc<Waiter>,
  addr: usize,
  deadline: Option<Instant>,
  interrupted: &mut dyn FnMut() -> bool,
) -> WaitEnd {
  let start = Instant::now();
  let mut spins = 0u32;
  loop {
    let s = w.status();
    if s != WAITING {
      return WaitEnd::Woken(s);
    }
    spins = spins.wrapping_add(1);
    if !spins.is_multiple_of(32) {
      std::hint::spin_loop();
      continue;
    }
    let waited = start.elapsed();
    if waited >= WAIT_SPIN {
      break;
    }
    if waited >= BUSY_SPIN {
      std::thread::yield_now();
    }
  }
  let mut first = true;
  loop {
    let s = w.status();
    if s != WAITING {
      return WaitEnd::Woken(s);
    }
    let now = Instant::now();
    let give_up = match deadline {
      Some(d) if now >= d => Some(STATUS_TIMEOUT),
      _ => {
        if !std::mem::take(&mut first) {
          let slice = deadline.map_or(PARK_SLICE, |d| (d - now).min(PARK_SLICE));
          std::thread::park_timeout(slice);
        }
        if w.status() == WAITING && interrupted() {
          Some(STATUS_TERMINATED)
        } else {
          None
        }
      }
    };
    if let Some(code) = give_up {
      let mut lot = lock();
      // Out of the queue with no outcome stored: nothing will ever store
      // one, so give up too. (A waker stores the outcome under this lock as
      // it removes a waiter, so this cannot happen unless something broke
      // that rule.)
      if lot.remove(addr, w) || w.status() == WAITING {
        return WaitEnd::GaveUp(lot, code);
      }
      // A waker removed us first and has stored our outcome: take it.
    }
  }
}

/// A sleep until a condition on shared memory holds, announced by a flag bit
/// that the thread making the condition true checks after it does so (the
/// rings' waiter bits, a latch's waiting word).
///
/// No lost wake-up: a sleeper sets the flag (a sequentially consistent
/// read-modify-write) and then re-checks the condition, under the lot lock; a
/// waker makes the condition true and then reads the flag (both sequentially
/// consistent). Either the sleeper sees the condition, or the waker sees the
/// flag and calls [`FlaggedSleep::wake`]. The flag is cleared when the last
/// sleeper leaves.
pub struct FlaggedSleep<'a> {
  /// The word holding the flag.
  pub flags: &'a AtomicI32,
  /// The flag bit.
  pub bit: i32,
  /// The address sleepers park under.
  pub addr: usize,
}

impl FlaggedSleep<'_> {
  /// Under the lot lock: announce a sleeper; false when `ready()` already holds.
  fn announce(&self, lot: &Lot, ready: &dyn Fn() -> bool) -> bool {
    self.flags.fetch_or(self.bit, Ordering::SeqCst);
    if ready() {
      self.clear_if_idle(lot);
      return false;
    }
    true
  }

  fn clear_if_idle(&self, lot: &Lot) {
    if lot.len(self.addr) == 0 {
      self.flags.fetch_and(!self.bit, Ordering::SeqCst);
    }
  }

  /// Blocks until `ready()` holds (checked before sleeping; afterwards a wake
  /// says so), the deadline passes, or the thread is terminated: OK, TIMEOUT
  /// or TERMINATED.
  pub fn wait(
    &self,
    ready: &dyn Fn() -> bool,
    me: u32,
    deadline: Option<Instant>,
    interrupted: &mut dyn FnMut() -> bool,
  ) -> i32 {
    let waiter = Waiter::sync(me, 0, Instant::now());
    {
      let mut lot = lock();
      if !self.announce(&lot, ready) {
        return STATUS_OK;
      }
      lot.push_kind(self.addr, waiter.clone(), 0, QueueKind::Plain);
    }
    // A waker looks at the flag; a stray write that cleared it would let the
    // condition come true unannounced. At each slice of the wait, look.
    let mut ready_now = false;
    let mut look = || {
      if interrupted() {
        return true;
      }
      ready_now = ready();
      ready_now
    };
    match wait(&waiter, self.addr, deadline, &mut look) {
      WaitEnd::Woken(st) => st,
      WaitEnd::GaveUp(lot, st) => {
        self.clear_if_idle(&lot);
        if ready_now {
          STATUS_OK
        } else {
          st
        }
      }
    }
  }

  /// The async form: OK if `ready()` holds now, else PENDING with waiter `id`
  /// queued.
  pub fn wait_async(&self, ready: &dyn Fn() -> bool, me: u32, id: u32) -> i32 {
    let mut lot = lock();
    if !self.announce(&lot, ready) {
      return STATUS_OK;
    }
    lot.push_kind(
      self.addr,
      Waiter::asynchronous(me, id, 0, Grant::Nothing),
      0,
      QueueKind::Plain,
    );
    STATUS_PENDING
  }

  /// Withdraws async waiter `id` of thread `me`: true when it was still queued.
  pub fn cancel(&self, me: u32, id: u32) -> bool {
    let mut lot = lock();
    let removed = lot.remove_async(self.addr, me, id);
    if removed {
      self.clear_if_idle(&lot);
    }
    removed
  }

  /// Wakes every sleeper (the condition now holds); returns how many.
  pub fn wake(&self) -> u32 {
    let mut lot = lock();
    self.flags.fetch_and(!self.bit, Ordering::SeqCst);
    lot.wake_all(self.addr, STATUS_OK)
  }

  /// Wakes the sleepers one new item needs (see
  /// [`Lot::wake_one_sync_and_async`]); the flag stays set while others
  /// sleep, so the next item wakes the next of them. Returns how many.
  pub fn wake_one(&self) -> u32 {
    let mut lot = lock();
    let n = lot.wake_one_sync_and_async(self.addr, STATUS_OK);
    self.clear_if_idle(&lot);
    n
  }
}

/// A deadline `timeout_ms` from now; `None` (wait forever) for a negative,
/// infinite or NaN timeout.
pub fn deadline(timeout_ms: f64) -> Option<Instant> {
  if timeout_ms.is_finite() && timeout_ms >= 0.0 {
    Some(Instant::now() + Duration::from_secs_f64((timeout_ms / 1000.0).min(1e9)))
  } else {
    None
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn exited_ids_are_bits() {
    let mut set = TidBits::default();
    assert!(!set.contains(0) && !set.contains(u32::MAX));
    for tid in [1, 63, 64, 65, 1_000_000] {
      set.insert(tid);
    }
    for tid in [1, 63, 64, 65, 1_000_000] {
      assert!(set.contains(tid), "{tid}");
    }
    for tid in [0, 2, 62, 66, 999_999, 1_000_001, u32::MAX] {
      assert!(!set.contains(tid), "{tid}");
    }
    assert_eq!(
      set.0.len(),
      1_000_000 / 64 + 1,
      "one bit per id up to the highest"
    );
  }

  #[test]
  fn fifo_wake_and_give_up() {
    let addr = 0x1000;
    let a = Waiter::sync(9001, 0, Instant::now());
    let b = Waiter::sync(9002, 0, Instant::now());
    {
      let mut lot = lock();
      lot.push(addr, a.clone(), 0);
      lot.push(addr, b.clone(), 0);
      assert_eq!(lot.len(addr), 2);
      let w = lot.wake_front(addr, 0).unwrap();
      assert!(Arc::ptr_eq(&w, &a));
    }
    assert_eq!(a.status(), 0);
    // b times out and removes itself.
    match wait(&b, addr, deadline(5.0), &mut || false) {
      WaitEnd::GaveUp(lot, code) => {
        assert_eq!(code, STATUS_TIMEOUT);
        assert_eq!(lot.len(addr), 0);
      }
      WaitEnd::Woken(_) => panic!("nobody woke b"),
    }
  }

  #[test]
  fn an_exit_under_a_sync_waiters_id_leaves_it_queued_and_a_lost_waiter_gives_up() {
    // An exit under the id of a sync waiter (another thread's: only a forged
    // registration could share it) drops async waiters only.
    let addr = 0x9000;
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
      let w = Waiter::sync(9051, 0, Instant::now());
      lock().push(addr, w.clone(), 0);
      tx.send(w.clone()).unwrap();
      match wait(&w, addr, deadline(200.0), &mut || false) {
        WaitEnd::Woken(st) => st,
        WaitEnd::GaveUp(_, code) => code,
      }
    });
    let w = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    lock().thread_exit(9051);
    assert_eq!(lock().len(addr), 1, "the sync waiter is still queued");
    // Taken out of its queue with no outcome (which nothing in the lot does):
    // it gives up at its deadline instead of waiting for an outcome forever.
    assert!(lock().remove(addr, &w));
    assert_eq!(joined(waiter), STATUS_TIMEOUT);
  }

  #[test]
  fn wake_one_takes_the_first_sync_waiter_and_every_async_one() {
    let addr = 0x7000;
    let x = Waiter::asynchronous(9101, 1, 0, Grant::Nothing);
    let a = Waiter::sync(9102, 0, Instant::now());
    let b = Waiter::sync(9103, 0, Instant::now());
    let y = Waiter::asynchronous(9104, 2, 0, Grant::Nothing);
    let mut lot = lock();
    for w in [&x, &a, &b, &y] {
      lot.push_kind(addr, Arc::clone(w), 0, QueueKind::Plain);
    }
    assert_eq!(lot.wake_one_sync_and_async(addr, STATUS_OK), 3);
    assert_eq!(lot.len(addr), 1);
    assert!(Arc::ptr_eq(lot.front(addr).unwrap(), &b));
    for w in [&x, &a, &y] {
      assert_eq!(w.status(), STATUS_OK);
    }
    assert_eq!(b.status(), WAITING);
    assert_eq!(lot.wake_one_sync_and_async(addr, STATUS_OK), 1);
    assert_eq!(b.status(), STATUS_OK);
    assert_eq!(lot.len(addr), 0);
    assert_eq!(lot.wake_one_sync_and_async(addr, STATUS_OK), 0);
  }

  #[test]
  fn wakes_a_parked_thread() {
    let addr = 0x2000;
    let w = Waiter::sync(9003, 0, Instant::now());
    lock().push(addr, w.clone(), 0);
    let t = {
      let w = w.clone();
      std::thread::spawn(move || match wait(&w, addr, None, &mut || false) {
        WaitEnd::Woken(s) => s,
        WaitEnd::GaveUp(..) => -2,
      })
    };
    std::thread::sleep(Duration::from_millis(30));
    lock().wake_front(addr, 42);
    assert_eq!(joined(t), 42);
  }

  #[test]
  fn interruption_ends_a_wait() {
    let addr = 0x3000;
    let w = Waiter::sync(9004, 0, Instant::now());
    lock().push(addr, w.clone(), 0);
    let mut n = 0;
    match wait(&w, addr, None, &mut || {
      n += 1;
      n > 2
    }) {
      WaitEnd::GaveUp(_, code) => assert_eq!(code, STATUS_TERMINATED),
      WaitEnd::Woken(_) => panic!("nobody woke it"),
    }
  }

  #[test]
  fn finds_a_two_thread_cycle() {
    let (x, y) = (0x4000, 0x5000);
    let mut lot = Lot::default();
    // 7001 owns x and waits for y; 7002 owns y.
    lot.push(y, Waiter::sync(7001, 0, Instant::now()), 7002);
    lot.queues.entry(x).or_default().owner = 7001;
    // 7002 now wants x (owned by 7001): a cycle.
    assert!(lot.would_deadlock(7002, 7001));
    // 7003 wanting x is merely blocked.
    assert!(!lot.would_deadlock(7003, 7001));
  }
}
