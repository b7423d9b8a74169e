"""Domain errors. Lower layers raise these; `api/` translates them into HTTP or CLI messages."""


class ArchiveError(Exception):
    """Base class for every error a user of the archive can be told about."""


class NotFoundError(ArchiveError):
    """A requested record does not exist."""


class InvalidInputError(ArchiveError):
    """A request or argument is malformed (bad filter, empty query, ...)."""


class ExtractionError(ArchiveError):
    """A submitted file could not be turned into text; the message says why, for a person."""


class ParserFailureError(ExtractionError):
    """The parser process itself failed (crashed, timed out, could not start): worth another attempt."""


class EmbedderMismatchError(ArchiveError):
    """The vector index was built by another embedder than the one configured."""
