"""Access: users, their groups and API keys, the audit trail, each document's visibility and groups, and the
visibility an ingest job asks for.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", AutoString(length=100), nullable=False),
        sa.Column("action", AutoString(length=40), nullable=False),
        sa.Column("target_kind", AutoString(length=20), nullable=True),
        sa.Column("target_id", AutoString(length=100), nullable=True),
        sa.Column("detail", AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditevent_at"), ["at"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=100), nullable=False),
        sa.Column("role", AutoString(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_name"), ["name"], unique=True)

    op.create_table(
        "apikey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", AutoString(length=64), nullable=False),
        sa.Column("prefix", AutoString(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apikey_key_hash"), ["key_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_apikey_user_id"), ["user_id"], unique=False)

    op.create_table(
        "documentgroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("group", AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "group"),
    )
    with op.batch_alter_table("documentgroup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documentgroup_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documentgroup_group"), ["group"], unique=False)

    op.create_table(
        "usergroup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group", AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "group"),
    )
    with op.batch_alter_table("usergroup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usergroup_group"), ["group"], unique=False)
        batch_op.create_index(batch_op.f("ix_usergroup_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visibility", AutoString(length=16), server_default="public", nullable=False))
        batch_op.create_index(batch_op.f("ix_document_visibility"), ["visibility"], unique=False)

    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visibility", AutoString(), nullable=True))
        batch_op.add_column(sa.Column("groups", AutoString(), nullable=True))
        batch_op.add_column(sa.Column("submitted_by", AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingestjob", schema=None) as batch_op:
        batch_op.drop_column("submitted_by")
        batch_op.drop_column("groups")
        batch_op.drop_column("visibility")

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_visibility"))
        batch_op.drop_column("visibility")

    with op.batch_alter_table("usergroup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usergroup_user_id"))
        batch_op.drop_index(batch_op.f("ix_usergroup_group"))

    op.drop_table("usergroup")
    with op.batch_alter_table("documentgroup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentgroup_group"))
        batch_op.drop_index(batch_op.f("ix_documentgroup_document_id"))

    op.drop_table("documentgroup")
    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apikey_user_id"))
        batch_op.drop_index(batch_op.f("ix_apikey_key_hash"))

    op.drop_table("apikey")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_name"))

    op.drop_table("user")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_at"))
        batch_op.drop_index(batch_op.f("ix_auditevent_action"))

    op.drop_table("auditevent")
