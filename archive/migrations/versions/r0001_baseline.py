"""Baseline: the schema of the archive before migrations (documents, passages, persons, jobs, near-duplicates).

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from archive.schema_upgrade import add_missing_columns

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here, not read from archive.models: later revisions change the models and describe their own changes.
metadata = sa.MetaData()
sa.Table(
    "archivemeta",
    metadata,
    sa.Column("key", AutoString(), primary_key=True),
    sa.Column("value", AutoString(), nullable=False),
)
sa.Table(
    "document",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("sha256", AutoString(length=64), nullable=False, index=True, unique=True),
    sa.Column("source", AutoString(), nullable=False),
    sa.Column("title", AutoString(), nullable=False),
    sa.Column("publisher", AutoString(), nullable=True),
    sa.Column("published", sa.Date(), nullable=True),
    sa.Column("published_end", sa.Date(), nullable=True),
    sa.Column("authors", AutoString(), nullable=True),
    sa.Column("url", AutoString(), nullable=True),
    sa.Column("language", AutoString(length=8), nullable=True),
    sa.Column("kind", AutoString(), nullable=True),
    sa.Column("page_count", sa.Integer(), nullable=True),
    sa.Column("text", AutoString(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("duplicate_of", sa.Integer(), nullable=True, index=True),
)
sa.Table(
    "person",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("name", AutoString(), nullable=False, index=True),
)
sa.Table(
    "documentminhash",
    metadata,
    sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), primary_key=True),
    sa.Column("signature", sa.LargeBinary(), nullable=False),
)
sa.Table(
    "ingestjob",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("sha256", AutoString(length=64), nullable=False, index=True),
    sa.Column("filename", AutoString(), nullable=False),
    sa.Column("source_path", AutoString(), nullable=True),
    sa.Column("stored_path", AutoString(), nullable=True),
    sa.Column(
        "state",
        sa.Enum("queued", "running", "indexed", "duplicate", "failed", name="jobstate"),
        nullable=False,
        index=True,
    ),
    sa.Column("reason", AutoString(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
sa.Table(
    "minhashband",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("key", AutoString(length=40), nullable=False, index=True),
    sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False, index=True),
)
sa.Table(
    "passage",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False, index=True),
    sa.Column("ordinal", sa.Integer(), nullable=False),
    sa.Column("char_start", sa.Integer(), nullable=False),
    sa.Column("char_end", sa.Integer(), nullable=False),
    sa.Column("page_start", sa.Integer(), nullable=True),
    sa.Column("page_end", sa.Integer(), nullable=True),
    sa.Column("text", AutoString(), nullable=False),
    sa.Column("page_breaks", AutoString(), nullable=True),
    sa.Column("heading", AutoString(), nullable=True),
    sa.Column("ocr", sa.Boolean(), nullable=False),
    sa.Column("content_hash", AutoString(length=64), nullable=False, index=True),
    sa.Column("embedding", sa.LargeBinary(), nullable=False),
    sa.Column("sentence_spans", AutoString(), nullable=True),
    sa.Column("sentence_vectors", sa.LargeBinary(), nullable=True),
)
sa.Table(
    "personalias",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False, index=True),
    sa.Column("alias", AutoString(), nullable=False),
    sa.Column("key", AutoString(), nullable=False, index=True),
    sa.Column("script", AutoString(), nullable=True),
    sa.UniqueConstraint("person_id", "alias"),
)
sa.Table(
    "mention",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False, index=True),
    sa.Column("passage_id", sa.Integer(), sa.ForeignKey("passage.id"), nullable=False, index=True),
    sa.Column("char_start", sa.Integer(), nullable=False),
    sa.Column("char_end", sa.Integer(), nullable=False),
)


def upgrade() -> None:
    """Create the tables; an archive made before migrations keeps its rows and gets the columns it lacks."""
    connection = op.get_bind()
    metadata.create_all(connection, checkfirst=True)
    add_missing_columns(connection, metadata)


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
