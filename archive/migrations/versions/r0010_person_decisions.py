"""Person decisions: editors' verdicts on names (not a person, the same person), kept by the names' identity keys.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persondecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", AutoString(), nullable=False),
        sa.Column("verdict", AutoString(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(), nullable=False),
        sa.Column("decided_by", AutoString(length=100), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("persondecision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persondecision_key"), ["key"], unique=True)
        batch_op.create_index(batch_op.f("ix_persondecision_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("persondecision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persondecision_person_id"))
        batch_op.drop_index(batch_op.f("ix_persondecision_key"))
    op.drop_table("persondecision")
