"""Saved searches and the new passages found to answer them (see search.alerts).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "savedsearch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", AutoString(length=100), nullable=False),
        sa.Column("query", AutoString(), nullable=False),
        sa.Column("filters", AutoString(), nullable=False),
        sa.Column("feed_token_hash", AutoString(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("checked_through", sa.Integer(), nullable=False),
        sa.Column("seen_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("savedsearch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savedsearch_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_savedsearch_feed_token_hash"), ["feed_token_hash"], unique=True)

    op.create_table(
        "savedsearchmatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("passage_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["saved_search_id"], ["savedsearch.id"]),
        sa.ForeignKeyConstraint(["passage_id"], ["passage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("saved_search_id", "passage_id"),
    )
    with op.batch_alter_table("savedsearchmatch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savedsearchmatch_saved_search_id"), ["saved_search_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_savedsearchmatch_passage_id"), ["passage_id"], unique=False)


def downgrade() -> None:
    op.drop_table("savedsearchmatch")
    op.drop_table("savedsearch")
