"""Error types. Every error a user can cause is a :class:`HipvisionError` with a message
that says what is wrong and, where possible, how to fix it. The CLI prints the message on
one line and exits non-zero; batch mode records it in the clip's row."""


class HipvisionError(Exception):
    """Base class of all expected, user-facing errors."""


class InputError(HipvisionError):
    """The input path is missing, of the wrong kind, unreadable or corrupt."""


class ModelError(HipvisionError):
    """The pose model cannot be found, downloaded or loaded."""


class PoseCsvError(HipvisionError):
    """A pose CSV is malformed. The message names the line and the problem."""


class AnalysisError(HipvisionError):
    """The pose sequence cannot be analysed for the requested test."""


class HistoryError(HipvisionError):
    """The history database cannot be opened or written, is not hipvision's, or an entry
    asked for does not exist."""
