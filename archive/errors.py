"""Domain errors. Lower layers raise these; `api/` turns them into HTTP answers (each carries its status) or CLI
messages."""


class ArchiveError(Exception):
    """Base class for every error a user of the archive can be told about.

    `status` is the HTTP status the API answers with: an error that names no client mistake is the server's (500).
    """

    status: int = 500


class NotFoundError(ArchiveError):
    """A requested record does not exist."""

    status = 404


class InvalidInputError(ArchiveError):
    """A request or argument is malformed (bad filter, empty query, ...)."""

    status = 400


class ExtractionError(ArchiveError):
    """A submitted file could not be turned into text; the message says why, for a person."""

    status = 422


class ParserFailureError(ExtractionError):
    """The parser process itself failed (crashed, timed out, could not start): worth another attempt."""


class EmbedderMismatchError(ArchiveError):
    """The vector index was built by another embedder than the one configured."""

    status = 409


class AuthenticationError(ArchiveError):
    """A key was given but is unknown, expired or revoked."""

    status = 401


class PermissionDeniedError(ArchiveError):
    """The caller is known but their role does not allow this."""

    status = 403


class UnsupportedFileTypeError(ArchiveError):
    """A submitted file is of a type the archive cannot read (by its name or its first bytes)."""

    status = 415
