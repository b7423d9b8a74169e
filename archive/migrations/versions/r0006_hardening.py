"""Hardening: what a document's reading could not do (warnings), the stage a running job is in, and refused API
keys shared by every process.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", AutoString(), nullable=True))
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("warnings", AutoString(), nullable=True))
    op.create_table(
        "refusedkey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("address", AutoString(length=100), nullable=False),
        sa.Column("prefix", AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("refusedkey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refusedkey_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_refusedkey_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_refusedkey_prefix"), ["prefix"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refusedkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refusedkey_prefix"))
        batch_op.drop_index(batch_op.f("ix_refusedkey_at"))
        batch_op.drop_index(batch_op.f("ix_refusedkey_address"))
    op.drop_table("refusedkey")
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.drop_column("warnings")
        batch_op.drop_column("stage")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("warnings")
