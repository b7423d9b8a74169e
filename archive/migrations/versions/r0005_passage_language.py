"""Each passage's language, stored when it is indexed (search ranks and filters by it): the column, filled for the
passages of existing archives from their text.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from language.scripts import passage_language

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", AutoString(length=2), nullable=True))
        batch_op.create_index(batch_op.f("ix_passage_language"), ["language"], unique=False)
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text("SELECT id, text FROM passage WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            return
        connection.execute(
            sa.text("UPDATE passage SET language = :language WHERE id = :id"),
            [{"id": passage_id, "language": passage_language(text)} for passage_id, text in rows],
        )
        last_id = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("passage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passage_language"))
        batch_op.drop_column("language")
