"""File formats: a document's format and properties; a job's parent job (attachments, mailbox messages).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("format", AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("properties", AutoString(), nullable=True))
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_job_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_ingestjob_parent_job_id"), ["parent_job_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingestjob_parent_job_id"))
        batch_op.drop_column("parent_job_id")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("properties")
        batch_op.drop_column("format")
