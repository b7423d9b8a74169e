"""Job leases: the worker that claimed a running job, and until when the claim holds (see indexing.job_states).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", AutoString(), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("claimed_by")
