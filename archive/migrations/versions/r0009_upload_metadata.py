"""Upload metadata: what the submitter states about an uploaded file (title, publisher, date, kind, language).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stated_metadata", AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.drop_column("stated_metadata")
