//! Per-thread identity, liveness and wake-up delivery.
//!
//! Every JS thread (the main thread and each worker) registers once when it
//! loads shmkit. Its shmkit thread id is its Node `threadId + 1` (never 0,
//! never reused within a process), and that id is what lock words store as
//! their owner.
//!
//! Registration creates the thread's *waker*: a thread-safe function that
//! delivers `(id, status)` outcomes of async waiters to the thread's event
//! loop. JS refs the waker while it has pending waiters, so a pending Promise
//! keeps the loop alive, and unrefs it otherwise.
//!
//! An environment cleanup hook runs when the thread exits for any reason
//! (normal exit, `worker.terminate()`, an uncaught exception, `process.exit()`
//! inside a worker). It tells the parking lot the thread is gone (which wakes
//! waiters of locks it held) and closes the waker, under the sinks lock, so no
//! other thread can post to it afterwards.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use napi::bindgen_prelude::{ArrayBuffer, FromNapiValue, Function, JsValue};
use napi::{sys, Env, Error, Result, Status};
use napi_derive::napi;
use parking_lot::Mutex;

use crate::parking;

/// Largest shmkit thread id: lock words keep the owner in 28 bits (an RwLock
/// word holds it beside four flag bits).
pub const MAX_TID: u32 = (1 << 28) - 1;

/// A thread's waker handle. The raw pointer is only used through Node-API
/// calls that are documented as callable from any thread.
struct Sink(sys::napi_threadsafe_function);

// SAFETY: `napi_call_threadsafe_function` may be called from any thread, and
// the handle is only released (by its owning thread, in the cleanup hook) after
// it has been removed from `SINKS` under the same lock every caller holds.
// Node's own teardown of the function comes after that hook: Node runs
// cleanup hooks last-added first, and the function was made before the hook
// was added (see `register_thread`).
unsafe impl Send for Sink {}

static SINKS: LazyLock<Mutex<HashMap<u32, Sink>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

thread_local! {
  /// This thread's shmkit id, 0 before registration.
  static CURRENT: Cell<u32> = const { Cell::new(0) };
  /// A reference to a JS no-op, called to find out whether the thread's
  /// JavaScript is being terminated (calls into JS fail then).
  static NOOP: Cell<sys::napi_ref> = const { Cell::new(ptr::null_mut()) };
}

/// The calling thread's shmkit id.
pub fn current() -> Result<u32> {
  match CURRENT.with(|c| c.get()) {
    0 => Err(Error::new(
      Status::GenericFailure,
      "this thread has not registered with shmkit",
    )),
    tid => Ok(tid),
  }
}

/// One outcome on its way to a thread's event loop.
struct Delivery {
  tid: u32,
  id: u32,
  status: i32,
  /// The outcome grants something (or carries a notify), recorded by the
  /// parking lot until it is delivered (see [`parking::delivered`]).
  recorded: bool,
}

/// Posts an async waiter's outcome to thread `tid`'s event loop; false when
/// it cannot be posted (the thread is gone or going).
pub fn post(tid: u32, id: u32, status: i32, recorded: bool) -> bool {
  #[cfg(test)]
  if tests::POSTS_QUEUE.lock().contains(&tid) {
    return true; // queued for an event loop that never runs it
  }
  let sinks = SINKS.lock();
  let Some(sink) = sinks.get(&tid) else {
    return false;
  };
  let data = Box::into_raw(Box::new(Delivery {
    tid,
    id,
    status,
    recorded,
  }));
  // SAFETY: the handle is live while it is in SINKS (we hold the lock); the
  // call is thread-safe; on success `deliver` takes ownership of `data`.
  let st = unsafe {
    sys::napi_call_threadsafe_function(
      sink.0,
      data.cast(),
      sys::ThreadsafeFunctionCallMode::nonblocking,
    )
  };
  if st != sys::Status::napi_ok {
    // SAFETY: the call failed, so ownership of `data` stayed with us.
    drop(unsafe { Box::from_raw(data) });
    return false;
  }
  true
}

/// Runs on the owning thread's event loop for every posted outcome: calls the
/// JS `onWake(id, status)`.
unsafe extern "C" fn deliver(
  env: sys::napi_env,
  callback: sys::napi_value,
  _context: *mut std::ffi::c_void,
  data: *mut std::ffi::c_void,
) {
  // SAFETY: `data` was produced by `Box::into_raw` in `post` and is handed to
  // us exactly once.
  let delivery = *unsafe { Box::from_raw(data.cast::<Delivery>()) };
  // A panic here would abort the process (this is called from C): none
  // leaves it.
  let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
    // SAFETY: `env` and `callback` as Node passed them to this call.
    unsafe { deliver_outcome(env, callback, delivery) }
  }));
}

/// `deliver`'s work: hands `delivery` to JS.
///
/// # Safety
/// `env` and `callback` must be the ones Node passed to `deliver` (either may
/// be null while the waker is torn down).
unsafe fn deliver_outcome(env: sys::napi_env, callback: sys::napi_value, delivery: Delivery) {
  let Delivery {
    tid,
    id,
    status,
    recorded,
  } = delivery;
  // A grant is this delivery's to hand over only while its record is there:
  // the thread's exit (its cleanup hook, on this same thread, so never in
  // the middle of this call) gives back every grant not yet delivered.
  let lost = if recorded {
    match parking::delivered(tid, id) {
      Some(lost) => Some(lost),
      None => return,
    }
  } else {
    None
  };
  // `js_ran`: the call into JS was made. A read lock JS counted before the
  // call failed is its thread's, given back at its exit (see
  // `crate::sync::read_holds`), not twice.
  let undeliverable = |js_ran: bool| {
    let Some(lost) = lost else { return };
    let counted = || {
      lost.grant == parking::Grant::ReadLock && crate::sync::read_holds::counted_while_delivered(id)
    };
    if !(js_ran && counted()) {
      parking::undeliverable(lost);
    }
  };
  if env.is_null() || callback.is_null() {
    return undeliverable(false); // the waker is being torn down with this outcome queued
  }
  let mut argv = [ptr::null_mut(); 2];
  let mut undefined = ptr::null_mut();
  let mut result = ptr::null_mut();
  // We are on the owning thread inside a Node-API callback with a valid env;
  // a failure of these calls only means the outcome is not delivered to a
  // thread that is shutting down.
  // SAFETY: as above; every call checks its arguments and reports by status.
  unsafe {
    sys::napi_create_uint32(env, id, &mut argv[0]);
    sys::napi_create_int32(env, status, &mut argv[1]);
    sys::napi_get_undefined(env, &mut undefined);
    if sys::napi_call_function(env, undefined, callback, 2, argv.as_ptr(), &mut result)
      != sys::Status::napi_ok
    {
      undeliverable(true); // the thread's JavaScript is being terminated
    }
  }
}

/// True when the calling thread's JavaScript is being terminated, so a sync
/// wait must end. Calling into JS (a native no-op created at registration)
/// fails exactly then.
pub fn interrupted(env: &Env) -> bool {
  let env = env.raw();
  let noop = NOOP.with(|n| n.get());
  if noop.is_null() {
    return false;
  }
  let mut func = ptr::null_mut();
  let mut undefined = ptr::null_mut();
  let mut result = ptr::null_mut();
  // SAFETY: `env` is the calling thread's env (we are inside one of its
  // callbacks) and `noop` is a reference created on this thread.
  unsafe {
    if sys::napi_get_reference_value(env, noop, &mut func) != sys::Status::napi_ok || func.is_null()
    {
      return true;
    }
    sys::napi_get_undefined(env, &mut undefined);
    sys::napi_call_function(env, undefined, func, 0, ptr::null(), &mut result)
      != sys::Status::napi_ok
  }
}

/// A native function that does nothing: calling it into JS fails exactly when
/// the thread's JavaScript is being terminated.
unsafe extern "C" fn noop(_env: sys::napi_env, _info: sys::napi_callback_info) -> sys::napi_value {
  ptr::null_mut()
}

/// Two copies of the addon in one process (a package installed twice) would
/// run two parking lots and two views of which threads are alive, and a lock
/// held through one copy would look ownerless to the other. Each copy marks
/// the process the first time it is loaded (its first claim), and a copy that
/// finds another copy's mark refuses to load.
fn claim_process() -> Result<()> {
  static CLAIM: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
  CLAIM
    .get_or_init(|| {
      if kernel_mark::another_copy_marked() {
        Err("another copy of shmkit's native addon is already loaded in this process; objects cannot be shared across two copies, so install shmkit once (deduplicate the package)".to_string())
      } else {
        Ok(())
      }
    })
    .clone()
    .map_err(|e| Error::new(Status::GenericFailure, e))
}

/// How a copy of the addon marks the process as its own, and sees another
/// copy's mark, without writing to the process environment: `setenv` in a
/// process whose other threads may call `getenv` (libuv's resolver, ICU,
/// Node itself) can free the array they are reading.
///
/// On Linux the mark is an anonymous memory file named
/// `shmkit-kernel:<address>` (`memfd_create`, close-on-exec, so a child
/// process does not inherit it): it stays open for the life of the process
/// (unless code that closes descriptors it does not own closes it), and every
/// open descriptor is listed in `/proc/self/fd`. The address is of a static
/// of this copy, so two copies' names differ. A copy makes its mark, then
/// looks for another's, and a copy that refuses removes its own mark: of two
/// copies claiming at once, at least one sees the other, so they never both
/// load (both may refuse, or the later scan may find the mark gone and load).
#[cfg(target_os = "linux")]
mod kernel_mark {
  use std::ffi::CString;

  const PREFIX: &str = "shmkit-kernel:";

  /// Marks the process for this copy; true if another copy's mark is there.
  /// Where the mark cannot be made or the list read (no `/proc`, no free
  /// descriptor), nothing is seen and the copy loads, as it would alone.
  pub(super) fn another_copy_marked() -> bool {
    let mine = format!("{PREFIX}{:p}", &super::SINKS);
    let Ok(name) = CString::new(mine.clone()) else {
      return false;
    };
    // SAFETY: `name` is a valid NUL-terminated string that outlives the call;
    // memfd_create reads it and returns a new descriptor or -1.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
      return false;
    }
    let own = format!("/memfd:{mine}");
    let other = std::fs::read_dir("/proc/self/fd").is_ok_and(|dir| {
      dir.flatten().any(|entry| {
        std::fs::read_link(entry.path()).is_ok_and(|target| {
          let target = target.to_string_lossy();
          let name = target.strip_suffix(" (deleted)").unwrap_or(&target);
          name.starts_with("/memfd:shmkit-kernel:") && name != own
        })
      })
    });
    if other {
      // SAFETY: `fd` is the descriptor memfd_create just returned to us, not
      // shared with anything else; this copy will not load, so its mark goes.
      unsafe { libc::close(fd) };
    }
    // Otherwise the descriptor stays open for the life of the process: it is
    // the mark.
    other
  }
}

/// Elsewhere the mark is an environment variable, `SHMKIT_KERNEL=pid:address`
/// (the pid, because a child process inherits the environment). Windows
/// serializes access to the environment; on other systems a concurrent
/// `getenv` may race the one `set_var`. shmkit is built and tested on Linux.
#[cfg(not(target_os = "linux"))]
mod kernel_mark {
  const KERNEL_VAR: &str = "SHMKIT_KERNEL";

  pub(super) fn another_copy_marked() -> bool {
    let mine = format!("{}:{:p}", std::process::id(), &super::SINKS);
    match std::env::var(KERNEL_VAR) {
      Ok(other)
        if other != mine && other.split(':').next() == Some(&std::process::id().to_string()) =>
      {
        true
      }
      _ => {
        std::env::set_var(KERNEL_VAR, &mine);
        false
      }
    }
  }
}

/// Claims the process for this copy of the addon (see `claim_process`);
/// throws when another copy has it. shmkit's loader calls it on every load,
/// before it looks for the thread's registration: a thread that registered
/// through another copy must not make this copy look loaded.
#[napi(catch_unwind)]
pub fn claim_kernel() -> Result<()> {
  claim_process()
}

/// Registers the calling JS thread with shmkit and returns its shmkit thread
/// id (`threadId + 1`). `onWake(id, status)` receives async waiters' outcomes.
/// Called once per thread by shmkit's loader; a second registration of the
/// same thread (another JS realm, another id) is refused, because outcomes
/// already on their way to the first waker would be lost, and so is an id
/// that is, or was, another registered thread's.
#[napi(catch_unwind)]
pub fn register_thread(
  env: Env,
  thread_id: u32,
  on_wake: Function<'_, (u32, i32), ()>,
) -> Result<u32> {
  claim_process()?;
  let tid = thread_id
    .checked_add(1)
    .filter(|t| *t <= MAX_TID)
    .ok_or_else(|| Error::new(Status::InvalidArg, "threadId is too large"))?;
  if CURRENT.with(|c| c.get()) != 0 {
    return Err(Error::new(
      Status::GenericFailure,
      "this thread is already registered with shmkit (shmkit loaded in a second JS realm of the same thread?)",
    ));
  }
  // Node never gives two threads the same threadId. A registration under an
  // id that is (or was) another thread's would take over that thread's
  // waker and, at its exit, that thread's waiters and locks: refused.
  {
    let mut lot = parking::lock();
    if lot.is_alive(tid) || lot.has_exited(tid) {
      return Err(Error::new(
        Status::InvalidArg,
        format!("threadId {thread_id} belongs to another thread"),
      ));
    }
    // Reserved for this thread from here on (its exit hook, or a failure
    // below, ends it).
    lot.register(tid);
  }
  let reserved = ReservedId(Some(tid));
  let raw = env.raw();
  let mut name = ptr::null_mut();
  let mut tsfn = ptr::null_mut();
  let mut noop_fn = ptr::null_mut();
  let mut noop_ref = ptr::null_mut();
  let label = "shmkit waker";
  // SAFETY: Node-API calls on the calling thread's env with valid arguments;
  // failures are reported by status and turned into errors.
  unsafe {
    check(sys::napi_create_string_utf8(
      raw,
      label.as_ptr().cast(),
      label.len() as isize,
      &mut name,
    ))?;
    check(sys::napi_create_threadsafe_function(
      raw,
      on_wake.raw(),
      ptr::null_mut(),
      name,
      0,
      1,
      ptr::null_mut(),
      None,
      ptr::null_mut(),
      Some(deliver),
      &mut tsfn,
    ))?;
    check(sys::napi_unref_threadsafe_function(raw, tsfn))?;
    check(sys::napi_create_function(
      raw,
      ptr::null(),
      0,
      Some(noop),
      ptr::null_mut(),
      &mut noop_fn,
    ))?;
    check(sys::napi_create_reference(raw, noop_fn, 1, &mut noop_ref))?;
  }
  // The hook first: once it is there, nothing below can fail, so the sink
  // is never in SINKS without the hook that takes it out.
  env.add_env_cleanup_hook(tid, thread_exit)?;
  CURRENT.with(|c| c.set(tid));
  ENV.with(|e| e.set(raw));
  NOOP.with(|n| n.set(noop_ref));
  SINKS.lock().insert(tid, Sink(tsfn));
  reserved.keep();
  Ok(tid)
}

/// A thread id reserved by a registration that has not finished: if it
/// fails, the id is marked exited (never to be used again, as a dead
/// thread's).
struct ReservedId(Option<u32>);

impl ReservedId {
  fn keep(mut self) {
    self.0 = None;
  }
}

impl Drop for ReservedId {
  fn drop(&mut self) {
    if let Some(tid) = self.0 {
      parking::lock().thread_exit(tid);
    }
  }
}

/// A per-thread record that JS writes with plain stores, on paths where a
/// call into Rust would cost too much, and Rust reads when the thread exits
/// ([`crate::ring::stranded`] and [`crate::sync::read_holds`]).
#[derive(Clone, Copy, Debug)]
pub enum Record {
  /// The thread's open Queue step.
  QueueStep = 0,
  /// The thread's RwLock read locks.
  ReadHolds = 1,
}

thread_local! {
  /// The calling thread's env, while it is registered (for [`read_record`]).
  static ENV: Cell<sys::napi_env> = const { Cell::new(ptr::null_mut()) };
  /// References to the thread's records, by [`Record`]; null until kept.
  static RECORDS: [Cell<sys::napi_ref>; 2] = const { [const { Cell::new(ptr::null_mut()) }; 2] };
}

/// A new ArrayBuffer of `words` f64 (zeros), kept as the calling thread's
/// record `which`. The memory is V8's, and a reference keeps the buffer
/// alive until the thread exits: a record that JS detaches, or transfers to
/// another thread, reads as missing then, never as memory freed or written
/// by another thread. Once per thread, after its registration.
pub fn new_record<'env>(
  env: &'env Env,
  which: Record,
  words: usize,
  what: &str,
) -> Result<ArrayBuffer<'env>> {
  current()?;
  if RECORDS.with(|r| !r[which as usize].get().is_null()) {
    return Err(Error::new(
      Status::GenericFailure,
      format!("this thread's {what} was made already"),
    ));
  }
  let raw = env.raw();
  let mut data = ptr::null_mut();
  let mut buffer = ptr::null_mut();
  let mut reference = ptr::null_mut();
  // SAFETY: Node-API calls on the calling thread's env (we are inside one of
  // its callbacks); each reports by status. The reference is deleted at the
  // thread's exit (`drop_records`).
  unsafe {
    check(sys::napi_create_arraybuffer(
      raw,
      words * 8,
      &mut data,
      &mut buffer,
    ))?;
    check(sys::napi_create_reference(raw, buffer, 1, &mut reference))?;
  }
  RECORDS.with(|r| r[which as usize].set(reference));
  // SAFETY: `buffer` is the ArrayBuffer just made on this env.
  unsafe { ArrayBuffer::from_napi_value(raw, buffer) }
}

/// Copies the calling thread's record `which` into `out`, one f64 per word:
/// false when the thread has none, or it is no longer `out.len()` words long
/// (detached by a transfer, say). Call it only on a registered thread while
/// its env lives: inside its Node-API callbacks, or from its cleanup hook,
/// which runs before Node-API's own teardown of the env (Node runs cleanup
/// hooks last-added first, and the env's was added when the addon loaded on
/// the thread, before the registration added this one).
pub fn read_record(which: Record, out: &mut [f64]) -> bool {
  let env = ENV.with(|e| e.get());
  let reference = RECORDS.with(|r| r[which as usize].get());
  if env.is_null() || reference.is_null() {
    return false;
  }
  let mut scope = ptr::null_mut();
  // SAFETY: `env` is the calling thread's live env (see above) and
  // `reference` was made on it; each call reports by status.
  if unsafe { sys::napi_open_handle_scope(env, &mut scope) } != sys::Status::napi_ok {
    return false;
  }
  let mut value = ptr::null_mut();
  let mut data = ptr::null_mut();
  let mut len = 0;
  // SAFETY: as above, inside the scope just opened.
  let found = unsafe {
    sys::napi_get_reference_value(env, reference, &mut value) == sys::Status::napi_ok
      && !value.is_null()
      && sys::napi_get_arraybuffer_info(env, value, &mut data, &mut len) == sys::Status::napi_ok
  };
  let fits = found && len == out.len() * 8 && !data.is_null() && (data as usize).is_multiple_of(8);
  if fits {
    let words = data.cast::<u64>();
    for (i, w) in out.iter_mut().enumerate() {
      // The load is atomic: nothing in Rust's memory model says who else may
      // write that memory (only this thread's JS does, and it is not running).
      // SAFETY: the reference keeps the buffer alive and no JS runs here to
      // detach it; `len` covers word i, and `data` is 8-aligned.
      let word = unsafe { AtomicU64::from_ptr(words.add(i)) };
      *w = f64::from_bits(word.load(Ordering::Relaxed));
    }
  }
  // SAFETY: closes the scope opened above, on the same env.
  unsafe { sys::napi_close_handle_scope(env, scope) };
  fits
}

/// Lets the calling thread's records go (at its exit).
fn drop_records() {
  let env = ENV.with(|e| e.replace(ptr::null_mut()));
  for which in [Record::QueueStep, Record::ReadHolds] {
    let reference = RECORDS.with(|r| r[which as usize].replace(ptr::null_mut()));
    if !env.is_null() && !reference.is_null() {
      // SAFETY: a reference made on this thread's env, which still lives
      // (see `read_record`); deleted once, since it was just taken out.
      unsafe { sys::napi_delete_reference(env, reference) };
    }
  }
}

/// The cleanup hook: the thread is gone. A panic in it would abort the
/// process (it is called from C), so none leaves it: what is left undone is
/// then what a thread whose records were lost leaves (a Queue step, read
/// locks held for good).
fn thread_exit(tid: u32) {
  let _ = std::panic::catch_unwind(|| exit_thread(tid));
}

fn exit_thread(tid: u32) {
  crate::ring::stranded::strand_open_step(); // a Queue step it was terminated in
  let holds = crate::sync::read_holds::take_read_holds(tid); // read locks it still held
  drop_records();
  let mut lot = parking::lock();
  lot.thread_exit(tid);
  for lost in holds {
    lot.lose(lost);
  }
  drop(lot);
  let sink = SINKS.lock().remove(&tid);
  if let Some(sink) = sink {
    // SAFETY: removed from SINKS under its lock, so no thread posts to it again;
    // we are on the owning thread during its env teardown.
    unsafe {
      sys::napi_release_threadsafe_function(sink.0, sys::ThreadsafeFunctionReleaseMode::abort)
    };
  }
  CURRENT.with(|c| c.set(0));
  NOOP.with(|n| n.set(ptr::null_mut()));
}

/// Keeps the calling thread's event loop alive (`true`) while it has pending
/// async waiters, or lets it exit (`false`).
#[napi(catch_unwind)]
pub fn waker_ref(env: Env, keep_alive: bool) -> Result<()> {
  let tid = current()?;
  let sinks = SINKS.lock();
  let sink = sinks
    .get(&tid)
    .ok_or_else(|| Error::new(Status::GenericFailure, "this thread's waker is closed"))?;
  // SAFETY: the handle belongs to the calling thread and is live in SINKS.
  let st = unsafe {
    if keep_alive {
      sys::napi_ref_threadsafe_function(env.raw(), sink.0)
    } else {
      sys::napi_unref_threadsafe_function(env.raw(), sink.0)
    }
  };
  check(st)
}

fn check(status: sys::napi_status) -> Result<()> {
  if status == sys::Status::napi_ok {
    Ok(())
  } else {
    Err(Error::new(
      Status::GenericFailure,
      format!("Node-API call failed with status {status}"),
    ))
  }
}

#[cfg(test)]
pub(crate) mod tests {
  use parking_lot::Mutex;
  use std::collections::HashSet;
  use std::sync::LazyLock;

  /// Threads (of Rust tests, which have no event loops) whose async
  /// outcomes `post` accepts, as if queued to a loop that has not run them.
  pub(crate) static POSTS_QUEUE: LazyLock<Mutex<HashSet<u32>>> =
    LazyLock::new(|| Mutex::new(HashSet::new()));
}
