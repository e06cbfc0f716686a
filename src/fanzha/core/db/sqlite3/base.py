"""SQLite whose writers take turns: first come, first served, handed over the moment the writer before commits.

Why: with `transaction_mode=IMMEDIATE` every write transaction asks SQLite for its one write lock at `BEGIN`.
A connection that does not get it sleeps in SQLite's busy handler with growing back-off (1, 2, 5 … then 100 ms
naps, up to busy_timeout) and retries blindly; it is not woken when the lock frees. With 32 server threads
contending, whoever happens to retry just after a commit wins and the others sleep again: some reports waited
17 s for a transaction that takes a few milliseconds (bench/clues_public.py; py-spy showed 21 of 32 threads in
`BEGIN IMMEDIATE`).

How (one `WriteTurn` per database file per process):
1. The thread that opens the outermost transaction (`atomic()`'s `BEGIN IMMEDIATE`) first queues in the
   process's FIFO; at most one thread per process goes further.
2. That thread takes an exclusive `flock` on `<database>-writers` beside the database, shared with the other
   processes on the same file (gunicorn's workers, the job worker, an import). The kernel wakes a blocked
   process as soon as the lock is released, so hand-over between processes is prompt too. The blocking call
   runs in a helper thread of the process, so the wait still ends at the database's timeout with
   "database is locked", as SQLite's own would.
3. Then `BEGIN IMMEDIATE` normally gets the write lock at once. SQLite's busy timeout stays as the backstop
   for writers outside this scheme (the sqlite3 shell, a backup, another program).
4. At commit, rollback or close (also after an exception, and when committing fails) both are released and the
   next thread in the queue proceeds at once. Savepoints of nested atomic blocks take nothing: the turn is taken
   once, by the outermost BEGIN.
5. The write-ahead log is copied into the database (checkpoint) by a thread of the process after the turn is
   given back, every CHECKPOINT_COMMITS commits or CHECKPOINT_CHANGES changed rows. SQLite's own automatic
   checkpoint runs inside COMMIT, i.e. while the turn is held: every thirty or so reports one COMMIT copied
   and synced ~1,000 pages (tens to hundreds of ms on a busy disk) with every other writer queued behind it.
   The automatic one stays, at AUTOCHECKPOINT_PAGES, as the backstop for a process that commits rarely.

Not covered, on purpose: single statements in autocommit mode (a write outside `atomic()`): SQLite holds the
write lock only for that statement, and they wait in SQLite's busy handler as before. Reads never queue
(WAL: readers do not block writers). In-memory databases (the test database) and DEFERRED transactions are
left as Django has them: there is no lock to hand over, or it is taken later than BEGIN.

A thread that dies holding the turn (it cannot, short of a bug: atomic's exit releases it) is detected by the
next waiter and the turn passes on; a process that dies releases its flock in the kernel.
"""

from __future__ import annotations

import collections
import fcntl
import os
import sqlite3
import threading
import time

from django.db.backends.sqlite3 import base as sqlite3_base

# How often a queued thread looks whether the thread holding the turn still exists.
_OWNER_CHECK_SECONDS = 1.0


# A checkpoint after this many commits of the process, or this many changed rows, whichever comes first.
CHECKPOINT_COMMITS = 32
CHECKPOINT_CHANGES = 5_000
# SQLite's automatic checkpoint (inside COMMIT), kept for connections that commit rarely (default: 1,000 pages).
AUTOCHECKPOINT_PAGES = 20_000


class TurnTimeout(Exception):
    """Waited the database's whole timeout for the write turn."""


class _ProcessFileLock:
    """An exclusive flock shared with the other processes, taken by a helper thread so waits can time out.

    States: idle; wanted (the helper blocks in flock for a waiter); held (this process has it).
    """

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.cv = threading.Condition(threading.Lock())
        self.wanted = False
        self.held = False
        self.helper: threading.Thread | None = None

    def _open(self) -> bool:
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return False  # a read-only place: the process queue and SQLite's busy handler still work
        return True

    def acquire(self, deadline: float) -> bool:
        """True once this process holds the lock; False when the deadline passed (or no lock file)."""
        with self.cv:
            if not self._open():
                return True
            if self.held:  # taken by the helper for an earlier waiter that gave up meanwhile
                return True
            if not self.wanted:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self.held = True
                    return True
                except BlockingIOError:
                    pass
            self.wanted = True
            if self.helper is None or not self.helper.is_alive():
                self.helper = threading.Thread(target=self._take, name="sqlite-writer-flock", daemon=True)
                self.helper.start()
            self.cv.notify_all()
            while not self.held:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.wanted = False  # the helper drops the lock again if it gets it with nobody waiting
                    return False
                self.cv.wait(remaining)
            return True

    def release(self) -> None:
        with self.cv:
            if self.held:
                self.held = False
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def _take(self) -> None:
        while True:
            with self.cv:
                while not self.wanted:
                    self.cv.wait()
                fd = self.fd
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks without the GIL; the kernel wakes it at the other's unlock
            with self.cv:
                if self.wanted and not self.held:
                    self.held, self.wanted = True, False
                    self.cv.notify_all()
                elif not self.held:
                    fcntl.flock(fd, fcntl.LOCK_UN)


class _Checkpointer:
    """PASSIVE checkpoints of the write-ahead log in a thread of the process, on its own connection.

    A PASSIVE checkpoint takes no write lock: writers go on while it copies pages.
    """

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.due = threading.Event()
        self.thread: threading.Thread | None = None
        self.commits = 0
        self.changes = 0
        self.done = 0  # checkpoints run, for tests

    def note_commit(self, changes: int) -> None:
        with self.lock:
            self.commits += 1
            self.changes += changes
            if self.commits < CHECKPOINT_COMMITS and self.changes < CHECKPOINT_CHANGES:
                return
            self.commits = self.changes = 0
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
                self.thread.start()
        self.due.set()

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
        while True:
            self.due.wait()
            self.due.clear()
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # busy or failing: the next one (or SQLite's automatic one) catches up
            self.done += 1


class WriteTurn:
    """The write turn of one database file in this process: a FIFO of threads, then the processes' flock."""

    def __init__(self, path: str, *, across_processes: bool = True):
        self.mutex = threading.Lock()
        self.owner: threading.Thread | None = None
        self.queue: collections.deque[tuple[threading.Thread, threading.Lock]] = collections.deque()
        self.files = _ProcessFileLock(path + "-writers") if across_processes else None
        self.checkpointer = _Checkpointer(path)

    def acquire(self, timeout: float) -> None:
        """Wait (FIFO) for this process's turn, then for the other processes'; TurnTimeout after `timeout` s."""
        deadline = time.monotonic() + timeout
        me = threading.current_thread()
        with self.mutex:
            if self.owner is None and not self.queue:
                self.owner = me
                wake = None
            else:
                wake = threading.Lock()
                wake.acquire()
                self.queue.append((me, wake))
        if wake is not None:
            self._wait_in_queue(me, wake, deadline)
        if self.files is not None and not self.files.acquire(deadline):
            self.release(files=False)
            raise TurnTimeout

    def _wait_in_queue(self, me: threading.Thread, wake: threading.Lock, deadline: float) -> None:
        while True:
            remaining = deadline - time.monotonic()
            if wake.acquire(timeout=max(0.0, min(remaining, _OWNER_CHECK_SECONDS))):
                return  # handed over: release() made us the owner
            with self.mutex:
                if self.owner is me:
                    return
                owner = self.owner
                if owner is not None and not owner.is_alive():
                    self._hand_over()  # the holder's thread is gone: pass the turn on (perhaps to us)
                    if self.owner is me:
                        return
                    continue
                if deadline - time.monotonic() <= 0:
                    self.queue.remove((me, wake))
                    raise TurnTimeout

    def _hand_over(self) -> None:
        """With the mutex held: give the turn to the first in the queue, or free it."""
        if self.queue:
            thread, wake = self.queue.popleft()
            self.owner = thread
            wake.release()
        else:
            self.owner = None

    def release(self, *, files: bool = True) -> None:
        if files and self.files is not None:
            self.files.release()
        with self.mutex:
            self._hand_over()


_turns: dict[str, WriteTurn] = {}
_turns_lock = threading.Lock()


def _forget_turns() -> None:
    # A forked child starts with no turns: the parent's queue and flock helper did not come along. Its copies of
    # the parent's lock-file descriptors are closed (that does not unlock the parent's flock), so a child cannot
    # keep the writers' lock alive after the parent that took it has died.
    global _turns_lock
    for turn in list(_turns.values()):
        files = turn.files
        if files is not None and files.fd is not None:
            try:
                os.close(files.fd)
            except OSError:
                pass
    _turns.clear()
    _turns_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_turns)


def write_turn(path: str) -> WriteTurn:
    turn = _turns.get(path)
    if turn is None:
        with _turns_lock:
            turn = _turns.setdefault(os.fspath(path), WriteTurn(os.fspath(path)))
    return turn


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    _turn: WriteTurn | None = None  # the turn this connection holds, while in a write transaction
    #: Seconds this connection has spent getting into write transactions (the turn, then BEGIN IMMEDIATE):
    #: a view subtracts two readings to report its own wait (Server-Timing).
    write_wait = 0.0

    _changes_at_begin = 0

    def _turn_for_begin(self) -> WriteTurn | None:
        if self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE") or self.is_in_memory_db():
            return None
        return write_turn(str(self.settings_dict["NAME"]))

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db():
            conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")  # checkpoints: see step 5 above
        return conn

    def _start_transaction_under_autocommit(self):
        turn = self._turn_for_begin()
        started = time.perf_counter()
        try:
            if turn is None or self._turn is not None:
                return super()._start_transaction_under_autocommit()
            try:
                turn.acquire(float(self.settings_dict["OPTIONS"].get("timeout", 5)))
            except TurnTimeout:
                with self.wrap_database_errors:
                    raise self.Database.OperationalError("database is locked (waited for the write turn)") from None
            self._turn = turn
            self._changes_at_begin = self.connection.total_changes
            try:
                super()._start_transaction_under_autocommit()
            except BaseException:
                self._release_turn()
                raise
        finally:
            self.write_wait += time.perf_counter() - started

    def _release_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()

    def _release_turn_if_ended(self) -> None:
        if self._turn is not None and (self.connection is None or not self.connection.in_transaction):
            self._release_turn()

    def _commit(self):
        turn = self._turn
        try:
            return super()._commit()
        finally:
            self._release_turn_if_ended()  # a failed COMMIT keeps the transaction: the rollback that follows releases
            if turn is not None and self._turn is None and self.connection is not None:
                turn.checkpointer.note_commit(self.connection.total_changes - self._changes_at_begin)

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_turn_if_ended()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_turn()
