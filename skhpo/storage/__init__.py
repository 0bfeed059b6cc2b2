"""Durable searches: the journal a search writes to its ``storage`` (an
SQLite file), from which it resumes and which :func:`skhpo.load_results` reads."""

from ._journal import Journal, JournalError, read_journal
from ._load import load_results
from ._record import Record

__all__ = ["Journal", "JournalError", "Record", "load_results", "read_journal"]
