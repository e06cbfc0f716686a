"""SQLite writers take turns (fanzha.core.db.sqlite3): many threads write at once on a file database, in WAL
mode with IMMEDIATE transactions like production, and every write lands without "database is locked"; the
turn is given back however a transaction ends.

Each test uses its own database file under a temporary alias ("turns"), so the test database is untouched.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

from fanzha.core.db.sqlite3.base import TurnTimeout, WriteTurn, write_turn

ALIAS = "turns"


@pytest.fixture
def turns_db(tmp_path, django_db_blocker):
    """A file SQLite database under the alias "turns", with production's options, and a table `note`."""
    options = {**settings.SQLITE_OPTIONS, "timeout": 10}
    cfg = {"ENGINE": "fanzha.core.db.sqlite3", "NAME": str(tmp_path / "turns.sqlite3"), "OPTIONS": options}
    connections.settings[ALIAS] = connections.configure_settings({"default": {}, ALIAS: cfg})[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as c:
            c.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)")
        try:
            yield cfg["NAME"]
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def run_threads(target, n: int) -> list[BaseException]:
    """Run `target(i)` in n threads started together; each closes its own connection. The errors raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as e:  # noqa: BLE001 - collected and asserted on by the test
            errors.append(e)
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer never finished (deadlock)"
    return errors


def notes() -> list[tuple[str, int]]:
    with connections[ALIAS].cursor() as c:
        c.execute("SELECT who, n FROM note ORDER BY who, n")
        return c.fetchall()


def test_24_threads_writing_at_once_all_land(turns_db):
    """24 threads × 5 transactions (each with a nested savepoint) land every row, with no "database is locked",
    while another thread keeps a read cursor open on the same file; afterwards nobody holds the turn."""
    with connections[ALIAS].cursor() as c:
        c.executemany("INSERT INTO note (who, n) VALUES (%s, %s)", [("seed", i) for i in range(500)])
    reading = threading.Event()
    done_writing = threading.Event()

    def reader() -> None:
        with connections[ALIAS].cursor() as c:
            c.execute("SELECT n FROM note WHERE who = 'seed'")
            c.fetchone()  # the statement stays open: a reader in the middle of its rows
            reading.set()
            done_writing.wait(60)
            assert len(c.fetchall()) == 499
        connections[ALIAS].close()

    read_thread = threading.Thread(target=reader)
    read_thread.start()
    assert reading.wait(30)

    def writer(i: int) -> None:
        for n in range(5):
            with transaction.atomic(using=ALIAS):
                with connections[ALIAS].cursor() as c:
                    c.execute("SELECT COALESCE(MAX(n), -1) FROM note WHERE who = %s", [f"w{i:02}"])
                    c.fetchone()
                    with transaction.atomic(using=ALIAS):  # a savepoint: takes no second turn
                        c.execute("INSERT INTO note (who, n) VALUES (%s, %s)", [f"w{i:02}", n])
                time.sleep(0.001)  # a little work while holding the write lock

    errors = run_threads(writer, 24)
    done_writing.set()
    read_thread.join(60)
    assert errors == []
    rows = [r for r in notes() if r[0] != "seed"]
    assert rows == [(f"w{i:02}", n) for i in range(24) for n in range(5)]
    turn = write_turn(turns_db)
    assert turn.owner is None and not turn.queue and not turn.files.held


def test_an_exception_inside_atomic_gives_the_turn_back(turns_db):
    """A writer whose transaction raises rolls back and hands the turn on: the writers queued behind it
    proceed and theirs land, the failed one's row does not."""
    holding = threading.Event()
    others = threading.Semaphore(0)

    def writer(i: int) -> None:
        if i == 0:
            with pytest.raises(RuntimeError), transaction.atomic(using=ALIAS):
                with connections[ALIAS].cursor() as c:
                    c.execute("INSERT INTO note (who, n) VALUES ('failed', 0)")
                holding.set()
                time.sleep(0.3)  # the others queue meanwhile
                raise RuntimeError("the view failed")
            for _ in range(16):  # the connection stays open (no close to release the turn) until all are done
                others.acquire(timeout=30)
        else:
            try:
                holding.wait(30)
                with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as c:
                    c.execute("INSERT INTO note (who, n) VALUES (%s, %s)", ["after", i])
            finally:
                others.release()

    assert run_threads(writer, 17) == []
    assert notes() == [("after", i) for i in range(1, 17)]
    assert write_turn(turns_db).owner is None


def test_closing_the_connection_mid_transaction_gives_the_turn_back(turns_db):
    """A connection closed inside atomic (a request torn down, a broken connection) releases the turn: the next
    writer gets in at once instead of waiting its whole timeout, and the closed one's write is gone."""
    def writer(i: int) -> None:
        if i == 0:
            with transaction.atomic(using=ALIAS):
                with connections[ALIAS].cursor() as c:
                    c.execute("INSERT INTO note (who, n) VALUES ('closed', 0)")
                connections[ALIAS].close()
                connections[ALIAS].needs_rollback = True
        else:
            time.sleep(0.1)
            with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as c:
                c.execute("INSERT INTO note (who, n) VALUES ('next', 1)")

    assert run_threads(writer, 2) == []
    assert notes() == [("next", 1)]
    assert write_turn(turns_db).owner is None


def test_another_process_holding_the_write_turn_is_waited_for_then_times_out(turns_db):
    """The turn is shared with other processes through a flock beside the database: while another holds it a
    writer waits (and counts the wait in write_wait), gets in as soon as it is released, and after the timeout
    fails with "database is locked"."""
    other = os.open(turns_db + "-writers", os.O_RDWR | os.O_CREAT)  # a separate open file: a separate holder
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        threading.Timer(0.3, fcntl.flock, args=(other, fcntl.LOCK_UN)).start()
        started, waited = time.monotonic(), connections[ALIAS].write_wait
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as c:
            c.execute("INSERT INTO note (who, n) VALUES ('waited', 1)")
        assert time.monotonic() - started >= 0.25
        assert connections[ALIAS].write_wait - waited >= 0.25  # the wait is reported (the view's Server-Timing)
        assert notes() == [("waited", 1)]

        fcntl.flock(other, fcntl.LOCK_EX)
        connections[ALIAS].settings_dict["OPTIONS"] = {**connections[ALIAS].settings_dict["OPTIONS"], "timeout": 0.3}
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic(using=ALIAS):
            pass
        fcntl.flock(other, fcntl.LOCK_UN)
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as c:  # nothing left held after the timeout
            c.execute("INSERT INTO note (who, n) VALUES ('after', 2)")
        assert notes() == [("after", 2), ("waited", 1)]
    finally:
        os.close(other)


def test_queued_threads_get_the_turn_in_arrival_order(tmp_path):
    """Threads queue first come, first served; one that waits past its timeout leaves the queue with TurnTimeout."""
    turn = WriteTurn(str(tmp_path / "db"), across_processes=False)
    turn.acquire(1)
    order: list[int] = []

    def wait(i: int) -> None:
        turn.acquire(10)
        order.append(i)
        turn.release()

    threads = []
    for i in range(5):
        threads.append(threading.Thread(target=wait, args=(i,)))
        threads[-1].start()
        while len(turn.queue) < i + 1:
            time.sleep(0.005)
    late: list[BaseException] = []

    def give_up() -> None:
        try:
            turn.acquire(0.1)
        except TurnTimeout as e:
            late.append(e)

    quitter = threading.Thread(target=give_up)
    quitter.start()
    quitter.join(10)
    assert len(late) == 1 and len(turn.queue) == 5  # the one that gave up left the queue, the others stay
    turn.release()
    for t in threads:
        t.join(10)
    assert order == [0, 1, 2, 3, 4]
    assert turn.owner is None and not turn.queue


def test_a_thread_that_died_holding_the_turn_does_not_block_the_others(tmp_path):
    """If a thread ends without giving the turn back, the next waiter notices it is gone and takes the turn."""
    turn = WriteTurn(str(tmp_path / "db"), across_processes=False)
    t = threading.Thread(target=turn.acquire, args=(1,))
    t.start()
    t.join()
    assert turn.owner is t and not t.is_alive()
    turn.acquire(5)
    assert turn.owner is threading.current_thread()
    turn.release()


def test_the_log_is_checkpointed_after_the_turn_not_inside_commit(turns_db):
    """Connections leave the routine checkpoint to the process's checkpoint thread (SQLite's automatic one only as
    a far backstop), which runs once CHECKPOINT_COMMITS transactions have committed, after their turn."""
    from fanzha.core.db.sqlite3 import base

    with connections[ALIAS].cursor() as c:
        c.execute("PRAGMA wal_autocheckpoint")
        assert c.fetchone()[0] == base.AUTOCHECKPOINT_PAGES
    checkpointer = write_turn(turns_db).checkpointer
    for n in range(base.CHECKPOINT_COMMITS):
        assert checkpointer.done == 0
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as c:
            c.execute("INSERT INTO note (who, n) VALUES ('c', %s)", [n])
    deadline = time.monotonic() + 10
    while checkpointer.done == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer.done == 1
    assert len(notes()) == base.CHECKPOINT_COMMITS


def test_a_forked_child_does_not_keep_the_parents_writers_lock(tmp_path):
    """A process forked while its parent holds the writers' lock file closes its copy of the descriptor: once the
    parent lets go (or dies), another process gets the lock although the child still runs."""
    path = str(tmp_path / "db")
    turn = write_turn(path)
    turn.acquire(1)  # this process now holds the flock on <db>-writers
    fd = turn.files.fd
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether the inherited descriptor is still open, then wait to be told to end
        try:
            os.close(r)
            try:
                os.fstat(fd)
                os.write(w, b"open")
            except OSError:
                os.write(w, b"closed")
            time.sleep(5)
        finally:
            os._exit(0)
    try:
        os.close(w)
        assert os.read(r, 10) == b"closed"
        # The parent "dies" holding the lock: its descriptor goes without an unlock. With the child's copy open,
        # the lock would live on in the child.
        os.close(fd)
        turn.files.fd, turn.files.held = None, False
        turn.owner = None
        other = os.open(path + "-writers", os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would fail if the child's copy still held it
            fcntl.flock(other, fcntl.LOCK_UN)
        finally:
            os.close(other)
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(r)
