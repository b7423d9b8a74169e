"""The lexical index on PostgreSQL: each passage's stems as a `tsvector` (GIN index), their counts and its length.

SQLite keeps its FTS5 table (archive.db), which is rebuilt when the analyzer changes; it has no table here.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "passage_lexical",
        sa.Column("passage_id", sa.Integer(), sa.ForeignKey("passage.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("terms", postgresql.TSVECTOR(), nullable=False),
        sa.Column("counts", postgresql.JSONB(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
    )
    op.create_index("ix_passage_lexical_terms", "passage_lexical", ["terms"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("passage_lexical")
