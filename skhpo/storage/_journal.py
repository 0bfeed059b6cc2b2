"""The journal of a search: one SQLite file (Python's ``sqlite3``, no server).

What a search writes, as it happens:

- the **events** its policy went through, in order: each trial asked, each
  trial told its score, each trial reported stalled. A policy is a pure
  function of this sequence (:mod:`skhpo.schedulers`), so replaying it
  rebuilds the policy exactly as it was when the search stopped, whatever
  stopped it;
- each **finished trial**: its parameters (JSON, see :mod:`._codec`), the
  search's extra columns, and every fold's scores, times and error, committed
  as the trial finishes (one transaction per finished trial);
- the **models** its policy keeps to continue (Hyperband's rungs with
  ``partial_fit`` or ``warm_start``, PBT's members), one pickle per fold,
  deleted when the policy releases them, so that a resumed search continues
  them instead of training them again;
- the search's **fingerprint**, which a resumed search must match, and the
  seed of its random generators.

A journal holds the trials of one or several *scopes*: a search is one,
:class:`~skhpo.NestedCV` writes one per outer fold. The process running a
search holds the file (its process id, host and start time are written in
it); another process is refused while that one lives.

Nothing in the journal is unpickled on read but the kept models, and those
only by a search resuming from it: a model is a pickle, and unpickling runs
code, so resume only from storage you wrote yourself.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from contextlib import closing

from ._codec import dumps, loads

__all__ = ["Journal", "JournalError", "read_journal"]

#: Version of the file's layout, checked when a journal is opened.
FORMAT = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS holder (
    one INTEGER PRIMARY KEY CHECK (one = 0),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started TEXT NOT NULL,
    since REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS scopes (
    scope TEXT PRIMARY KEY,
    search TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    seed INTEGER NOT NULL,
    planned INTEGER,
    n_splits INTEGER NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    scope TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    trial INTEGER NOT NULL,
    PRIMARY KEY (scope, seq)
);
CREATE TABLE IF NOT EXISTS trials (
    scope TEXT NOT NULL,
    id INTEGER NOT NULL,
    trial TEXT NOT NULL,
    params TEXT,
    extra TEXT,
    folds TEXT,
    ask_time REAL,
    asked REAL NOT NULL,
    finished REAL,
    PRIMARY KEY (scope, id)
);
CREATE TABLE IF NOT EXISTS models (
    scope TEXT NOT NULL,
    trial INTEGER NOT NULL,
    fold INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (scope, trial, fold)
);
"""


class JournalError(ValueError):
    """A storage that cannot be used.

    Raised, with what to do, when the file is not a readable skhpo journal,
    holds another search than the one resuming from it (its fingerprint
    differs), is held by another live process, or cannot be written. A
    subclass of :class:`ValueError`.

    See Also
    --------
    Journal : The journal a search writes to its ``storage``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skhpo.storage import read_journal
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "notes.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("not a journal")
    >>> read_journal(path)
    Traceback (most recent call last):
        ...
    skhpo.storage._journal.JournalError: storage='...notes.txt' is not a readable skhpo journal (...); it is left as it is. Pass another path to start a new search.
    >>> folder.cleanup()
    """  # noqa: E501


def _connect(path, *, readonly=False):
    if readonly:
        uri = "file:" + os.path.abspath(path).replace("?", "%3f") + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=30.0)
    else:
        connection = sqlite3.connect(path, timeout=30.0, check_same_thread=False)
    connection.isolation_level = None  # transactions are explicit
    return connection


def _process_started(pid):
    """When process ``pid`` started (clock ticks since boot, Linux), or ''."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _alive(pid, started):
    """Whether the process that wrote ``pid`` and ``started`` still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        pass
    except OSError:
        return False
    return not started or _process_started(pid) in ("", started)


#: A holder on another host that has written nothing for this long is taken
#: for gone (its process cannot be asked).
STALE_SECONDS = 600.0


def _retry_locked(action, attempts=50):
    """``action()``, again while SQLite says the file is locked (another
    process creating it at the same moment)."""
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def _check_file(path):
    """Raise :class:`JournalError` if ``path`` exists and is no journal."""
    if not os.path.exists(path):
        return
    if os.path.isdir(path):
        raise JournalError(f"storage={path!r} is a directory, not a file.")
    try:
        with closing(_connect(path, readonly=True)) as connection:
            check = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            version = None
            if "meta" in tables:
                row = connection.execute(
                    "SELECT value FROM meta WHERE key = 'format'"
                ).fetchone()
                version = row and row[0]
    except sqlite3.DatabaseError as exc:
        raise JournalError(
            f"storage={path!r} is not a readable skhpo journal ({exc}); it is "
            "left as it is. Pass another path to start a new search."
        ) from exc
    if check != "ok":
        raise JournalError(
            f"storage={path!r} is damaged (SQLite's check: {check}); it is left "
            "as it is. Pass another path to start a new search."
        )
    if tables and (version is None or "scopes" not in tables):
        raise JournalError(
            f"storage={path!r} is an SQLite database but not an skhpo journal; "
            "it is left as it is. Pass another path."
        )
    if version is not None and int(version) != FORMAT:
        raise JournalError(
            f"storage={path!r} was written in journal format {version}; this "
            f"version of skhpo reads format {FORMAT}."
        )


class Journal:
    """A journal opened by the process running a search.

    One SQLite file (see the module :mod:`skhpo.storage`) holds, per *scope*
    (a search; one per outer fold of :class:`~skhpo.NestedCV`), the events its
    policy went through, its finished trials and the models it keeps, so that
    a stopped search resumes. Searches open it themselves from their
    ``storage`` parameter; :func:`read_journal` and :func:`skhpo.load_results` read
    it from outside without holding it.

    Parameters
    ----------
    path : str or path-like
        The SQLite file, created if missing (when opened by :meth:`acquire`).

    Attributes
    ----------
    path : str
        The file's path.

    See Also
    --------
    read_journal : Every scope of a journal, read without holding it.
    skhpo.load_results : The finished evaluations of one scope, as a DataFrame.

    Notes
    -----
    One :class:`Journal` may serve several scopes, from several threads. The
    process that acquired it holds the file (its process id, host and start
    time are written in it): another process that tries to open it while that
    one lives gets a :class:`JournalError`.

    Examples
    --------
    >>> import os, tempfile
    >>> from skhpo.storage import Journal, read_journal
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "search.sqlite")
    >>> journal = Journal.acquire(path)
    >>> scope = journal.scope(
    ...     "", search="BayesSearchCV", fingerprint={"n_iter": 10}, seed=42,
    ...     planned=10, n_splits=3,
    ... )
    >>> scope.seed
    42
    >>> read_journal(path)["scopes"][""]["state"]
    'running'
    >>> journal.release()
    >>> folder.cleanup()
    """

    # the journals this process holds, by absolute path: (journal, users)
    _held: dict = {}
    _held_lock = threading.Lock()

    def __init__(self, path):
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._connection = None
        self._scopes = {}

    # ------------------------------------------------------------ opening
    @classmethod
    def acquire(cls, path):
        """Open the journal at ``path`` for this process and hold it.

        Several searches of one process share one journal object: each call is
        matched by one :meth:`release`, and the file is let go with the last.

        Parameters
        ----------
        path : str or path-like
            The SQLite file, created if missing; its folder must exist.

        Returns
        -------
        journal : Journal
            The journal of ``path`` that this process holds.

        Raises
        ------
        JournalError
            If the file is not a readable skhpo journal (or is of another
            format), cannot be written, or is held by another live process.
        """
        path = os.path.abspath(os.fspath(path))
        with cls._held_lock:
            entry = cls._held.get(path)
            if entry is None:
                journal = cls(path)
                journal._open()
                entry = cls._held[path] = [journal, 0]
            entry[1] += 1
            return entry[0]

    def release(self):
        """Stop holding the journal once every search of the process did.

        Each :meth:`acquire` is matched by one call; the last one closes the file
        and removes this process as its holder.
        """
        path = os.path.abspath(self.path)
        with self._held_lock:
            entry = self._held.get(path)
            if entry is None or entry[0] is not self:
                return
            entry[1] -= 1
            if entry[1] > 0:
                return
            del self._held[path]
        self._close()

    def _open(self):
        path = self.path
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise JournalError(
                f"storage={path!r}: the folder {folder!r} does not exist."
            )
        _check_file(path)
        try:  # who creates the file, atomically: only they may remove it
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            created = True
        except FileExistsError:
            created = False
        except OSError as exc:
            raise JournalError(f"storage={path!r} cannot be written: {exc}.") from exc
        connection = None
        try:
            connection = _connect(path)
            _retry_locked(lambda: connection.execute("PRAGMA journal_mode = WAL"))
            # a crash of the process loses nothing committed; a power loss at
            # most the last trials, never the file
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(
                "INSERT OR IGNORE INTO meta VALUES ('format', ?)", (str(FORMAT),)
            )
            self._take(connection)
            connection.execute("COMMIT")
        except BaseException as exc:
            if connection is not None:
                connection.close()
            held = isinstance(exc, JournalError) or (
                isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
            )
            if created and not held:  # nothing of ours is left behind
                for suffix in ("", "-wal", "-shm", "-journal"):
                    try:
                        os.remove(path + suffix)
                    except OSError:
                        pass
            if isinstance(exc, sqlite3.Error):
                raise JournalError(
                    f"storage={path!r} cannot be written: {exc}."
                ) from exc
            raise
        self._connection = connection

    def _take(self, connection):
        """Write this process as the holder, unless a live one holds it."""
        row = connection.execute(
            "SELECT pid, host, started, since FROM holder"
        ).fetchone()
        host = socket.gethostname()
        pid = os.getpid()
        if row is not None and (row[0], row[1]) != (pid, host):
            other_pid, other_host, started, since = row
            if other_host == host:
                live = _alive(other_pid, started)
            else:  # cannot be asked: live while it keeps writing
                live = time.time() - since < STALE_SECONDS
            if live:
                connection.execute("ROLLBACK")
                where = "" if other_host == host else f" on host {other_host!r}"
                last = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))
                raise JournalError(
                    f"storage={self.path!r} is held by a live search: process "
                    f"{other_pid}{where}, which last wrote to it at {last}. Wait "
                    "for it to end, or pass another path"
                    + (
                        ""
                        if other_host == host
                        else f" (a holder on another host silent for "
                        f"{STALE_SECONDS / 60:g} minutes is taken for gone)"
                    )
                    + "."
                )
        connection.execute(
            "INSERT OR REPLACE INTO holder VALUES (0, ?, ?, ?, ?)",
            (pid, host, _process_started(pid), time.time()),
        )

    def _close(self):
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(
                "DELETE FROM holder WHERE pid = ? AND host = ?",
                (os.getpid(), socket.gethostname()),
            )
        except sqlite3.Error:
            pass
        finally:
            connection.close()

    # ------------------------------------------------------------- scopes
    def scope(self, name, *, search, fingerprint, seed, planned, n_splits):
        """The record of one search in the journal, created if new.

        Parameters
        ----------
        name : str
            The scope: ``""`` for a search of its own, ``"outer<k>"`` and ``"all"``
            for the searches of a :class:`~skhpo.NestedCV`.
        search : str
            The search's class name.
        fingerprint : dict
            What a search resuming from this scope must match: its estimator,
            data, splits, space and parameters, summed up (see
            ``skhpo.storage._fingerprint``).
        seed : int
            The seed of a new search's random generators; a resumed search takes
            the stored one.
        planned : int or None
            The number of trials the search plans (for progress reports), or
            None if unknown.
        n_splits : int
            Number of CV folds.

        Returns
        -------
        scope : Scope
            What the search writes to and reads from its scope; its ``seed`` and
            ``created`` (when the search first began) are the stored ones when it
            resumes.

        Raises
        ------
        JournalError
            If the scope holds another search: another class, or another
            fingerprint (the message names what differs).
        """
        with self._lock:
            row = self._connection.execute(
                "SELECT search, fingerprint, seed, created FROM scopes WHERE scope = ?",
                (name,),
            ).fetchone()
            now = time.time()
            if row is None:
                self._write(
                    "INSERT INTO scopes (scope, search, fingerprint, seed, planned, "
                    "n_splits, state, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)",
                    (
                        name,
                        search,
                        dumps(fingerprint),
                        seed,
                        planned,
                        n_splits,
                        now,
                        now,
                    ),
                )
                created = now
            else:
                _check_fingerprint(
                    self.path, name, row[0], loads(row[1]), search, fingerprint
                )
                seed, created = row[2], row[3]
                self._write(
                    "UPDATE scopes SET state = 'running', updated = ?, planned = ? "
                    "WHERE scope = ?",
                    (now, planned, name),
                )
            return Scope(self, name, seed, created)

    def _write(self, statement, args=()):
        self._transaction([(statement, args)])

    def _transaction(self, statements):
        """Run ``(statement, args)`` pairs in one transaction: all or none."""
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                for statement, args in statements:
                    connection.execute(statement, args)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")


def _check_fingerprint(path, scope, search, stored, new_search, new):
    if search != new_search:
        raise JournalError(
            f"storage={path!r} holds a {search}, not a {new_search}. Pass "
            "another path to start a new search."
        )
    differ = sorted(
        key for key in set(stored) | set(new) if stored.get(key) != new.get(key)
    )
    if differ:
        lines = "".join(
            f"\n  {key}: stored {a!r}, now {b!r}"
            for key, a, b in _differences(stored, new)
        )
        where = f" (scope {scope!r})" if scope else ""
        raise JournalError(
            f"storage={path!r} holds another search{where}: it differs in "
            f"{', '.join(differ)}.{lines}\nResume with the same estimator, "
            "data, space and search parameters, or pass another path to start "
            "a new search."
        )


class _Absent:
    def __repr__(self):
        return "absent"


_MISSING = _Absent()


def _differences(stored, new, prefix=""):
    """``(path, stored, new)`` of each value that differs, descending into
    dictionaries so that a changed estimator names its changed parameter
    (``estimator.params.kernel``) rather than printing both whole."""
    found = []
    for key in sorted(set(stored) | set(new), key=str):
        a, b = stored.get(key, _MISSING), new.get(key, _MISSING)
        if a == b:
            continue
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            found += _differences(a, b, f"{path}.")
        else:
            found.append((path, a, b))
    return found


class Scope:
    """What one search writes to and reads from its journal."""

    def __init__(self, journal, name, seed, created):
        self.journal = journal
        self.name = name
        self.seed = seed
        self.created = created  # when the search first began (time.time())
        self._pending = []  # events and asks not yet committed
        self._seq = self._next_seq()

    def _next_seq(self):
        with self.journal._lock:
            row = self.journal._connection.execute(
                "SELECT MAX(seq) FROM events WHERE scope = ?", (self.name,)
            ).fetchone()
        return 0 if row[0] is None else row[0] + 1

    def setting(self, name, value):
        """The value of a setting the search resolved when it began (such as
        a default that depends on the number of workers): ``value`` the first
        time, the stored one when resuming."""
        journal = self.journal
        with journal._lock:
            row = journal._connection.execute(
                "SELECT settings FROM scopes WHERE scope = ?", (self.name,)
            ).fetchone()
            settings = loads(row[0])
            if name in settings:
                return settings[name]
            settings[name] = value
            journal._write(
                "UPDATE scopes SET settings = ? WHERE scope = ?",
                (dumps(settings), self.name),
            )
        return value

    # ------------------------------------------------------------ reading
    def events(self):
        """The committed events, in order: ``(kind, trial id)``."""
        with self.journal._lock:
            return self.journal._connection.execute(
                "SELECT kind, trial FROM events WHERE scope = ? ORDER BY seq",
                (self.name,),
            ).fetchall()

    def trials(self):
        """Every committed trial: id -> dict (``trial``, ``params``,
        ``extra``, ``folds`` (None while unfinished), ``ask_time``)."""
        with self.journal._lock:
            rows = self.journal._connection.execute(
                "SELECT id, trial, params, extra, folds, ask_time FROM trials "
                "WHERE scope = ?",
                (self.name,),
            ).fetchall()
        return {
            row[0]: {
                "trial": row[1],
                "params": row[2],
                "extra": row[3],
                "folds": None if row[4] is None else loads(row[4]),
                "ask_time": row[5],
            }
            for row in rows
        }

    def models(self, trial_id):
        """The kept models of a trial, one ``bytes`` per fold (pickles)."""
        with self.journal._lock:
            rows = self.journal._connection.execute(
                "SELECT data FROM models WHERE scope = ? AND trial = ? ORDER BY fold",
                (self.name, trial_id),
            ).fetchall()
        return [row[0] for row in rows]

    # ------------------------------------------------------------ writing
    def _event(self, kind, trial_id):
        self._pending.append(
            (
                "INSERT INTO events VALUES (?, ?, ?, ?)",
                (self.name, self._seq, kind, trial_id),
            )
        )
        self._seq += 1

    def asked(self, trial_id, trial_text):
        """A trial was asked (written with the next commit)."""
        self._event("ask", trial_id)
        self._pending.append(
            (
                "INSERT OR REPLACE INTO trials (scope, id, trial, asked) "
                "VALUES (?, ?, ?, ?)",
                (self.name, trial_id, trial_text, time.time()),
            )
        )

    def stalled(self, trial_id):
        """The policy was told a trial stalls (written with the next commit)."""
        self._event("stall", trial_id)

    def released(self, trial_ids):
        """The policy released these trials' models."""
        for trial_id in trial_ids:
            self._pending.append(
                (
                    "DELETE FROM models WHERE scope = ? AND trial = ?",
                    (self.name, trial_id),
                )
            )

    def told(self, trial_id, params_text, extra_text, folds, ask_time, models=None):
        """A trial finished: written at once with everything pending."""
        self._event("tell", trial_id)
        self._pending.append(
            (
                "UPDATE trials SET params = ?, extra = ?, folds = ?, ask_time = ?, "
                "finished = ? WHERE scope = ? AND id = ?",
                (
                    params_text,
                    extra_text,
                    dumps(folds),
                    ask_time,
                    time.time(),
                    self.name,
                    trial_id,
                ),
            )
        )
        for fold, data in enumerate(models or ()):
            self._pending.append(
                (
                    "INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?)",
                    (self.name, trial_id, fold, data),
                )
            )
        self.commit()

    def commit(self):
        """Write what is pending, in one transaction."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        now = time.time()
        self.journal._transaction(
            [
                *pending,
                ("UPDATE scopes SET updated = ? WHERE scope = ?", (now, self.name)),
                (  # the holder is alive
                    "UPDATE holder SET since = ? WHERE pid = ? AND host = ?",
                    (now, os.getpid(), socket.gethostname()),
                ),
            ]
        )

    def finish(self, state="done"):
        """The search ended (``"done"``: its kept models are deleted) or
        stopped (``"stopped"``, ``"max_time"``: they stay, to resume)."""
        if state == "done":
            self._pending.append(("DELETE FROM models WHERE scope = ?", (self.name,)))
        self.commit()
        self.journal._write(
            "UPDATE scopes SET state = ?, updated = ? WHERE scope = ?",
            (state, time.time(), self.name),
        )


def read_journal(path):
    """Every scope of the journal at ``path``, read without holding it.

    Readable from any process while the search runs, and after it stopped;
    nothing is unpickled.

    Parameters
    ----------
    path : str or path-like
        The ``storage`` file of a search.

    Returns
    -------
    journal : dict
        ``"scopes"``: ``{scope: {"search", "planned", "n_splits", "state",
        "created", "updated", "trials"}}``, in the order the scopes were
        created, with ``"trials"`` a list of dicts in the order they were
        asked, each with ``id``, ``trial`` (JSON text of what the policy
        decided), ``params`` (JSON text, None while running), ``extra`` (JSON
        text or None), ``folds`` (list, None while running), ``ask_time``,
        ``asked`` and ``finished`` (POSIX times). ``"holder"``: the live
        process running a search in it (``pid``, ``host``, ``since``), or None.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    JournalError
        If the file is not a readable skhpo journal.

    See Also
    --------
    skhpo.load_results : The finished evaluations of one scope, as a DataFrame.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV
    >>> from skhpo.storage import read_journal
    >>> X, y = load_iris(return_X_y=True)
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "search.sqlite")
    >>> search = BayesSearchCV(SVC(), {"C": [0.1, 1.0]}, n_iter=2, cv=3, storage=path)
    >>> search = search.fit(X, y)
    >>> scope = read_journal(path)["scopes"][""]
    >>> scope["search"], scope["state"], len(scope["trials"]), scope["n_splits"]
    ('BayesSearchCV', 'done', 2, 3)
    >>> scope["trials"][0]["params"]
    '{"C": 0.1}'
    >>> folder.cleanup()
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No skhpo journal at {path!r}.")
    _check_file(path)
    with closing(_connect(path, readonly=True)) as connection:
        scopes = {}
        for row in connection.execute(
            "SELECT scope, search, planned, n_splits, state, created, updated "
            "FROM scopes ORDER BY created"
        ):
            scopes[row[0]] = dict(
                zip(
                    ("search", "planned", "n_splits", "state", "created", "updated"),
                    row[1:],
                ),
                trials=[],
            )
        for row in connection.execute(
            "SELECT scope, id, trial, params, extra, folds, ask_time, asked, finished "
            "FROM trials ORDER BY scope, asked, id"
        ):
            scope = scopes.get(row[0])
            if scope is None:
                continue
            scope["trials"].append(
                {
                    "id": row[1],
                    "trial": row[2],
                    "params": row[3],
                    "extra": row[4],
                    "folds": None if row[5] is None else loads(row[5]),
                    "ask_time": row[6],
                    "asked": row[7],
                    "finished": row[8],
                }
            )
        holder = connection.execute(
            "SELECT pid, host, started, since FROM holder"
        ).fetchone()
    live = None
    if holder is not None:
        pid, host, started, since = holder
        if host == socket.gethostname():
            alive = _alive(pid, started)
        else:
            alive = time.time() - since < STALE_SECONDS
        if alive:
            live = {"pid": pid, "host": host, "since": since}
    return {"scopes": scopes, "holder": live}
