"""Why a calendar could not be imported, as a sentence for the host (pure: no Flask).

The download (``fetch``, ``addresses``, ``connection``) raises ``FetchError``; reading and expanding
the text (``importer``, ``expansion``) raises ``CalendarError``. Both carry an English msgid in
``message`` (marked with the no-op ``_l`` so the catalogue extraction, ``-k _l``, finds it) and its
values in ``params``: the caller translates with ``gettext(error.message, **error.params)``, and
``str(error)`` is the English sentence.
"""

from __future__ import annotations


def _l(message: str) -> str:
    """Mark a message for translation; the caller translates it (these modules stay Flask-free)."""
    return message


class ImportFailure(Exception):
    """A failure with a sentence for the host: ``message`` (msgid) and ``params`` (its values)."""

    def __init__(self, message: str, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


class FetchError(ImportFailure):
    """The calendar could not be downloaded."""


class CalendarError(ImportFailure, ValueError):
    """The text is not a calendar we can read (or would cost too much to expand)."""
