"""Minutes review: versions of the minutes edited and validated by a clerk, and the bus outbox.

Existing minutes become version 1 (``draft``, written by the service), so a database upgraded from
0002 shows every meeting's minutes in the review panel exactly as new ones are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "minutes_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_pk", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_pk"], ["meetings.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_pk", "number", name="uq_minutes_versions_meeting_number"),
    )
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_versions_meeting_pk"), ["meeting_pk"], unique=False
        )
    op.create_table(
        "bus_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("msg_id", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bus_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bus_outbox_published_at"), ["published_at"])
    # Existing minutes: version 1, a draft written by the service.
    op.execute(
        "INSERT INTO minutes_versions (meeting_pk, number, status, data, author, author_name, "
        "summary, changes, created_at) SELECT meeting_pk, 1, 'draft', data, 'service', "
        "'Génération automatique', 'Compte rendu généré automatiquement', '[]', created_at "
        "FROM minutes"
    )


def downgrade() -> None:
    with op.batch_alter_table("bus_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bus_outbox_published_at"))
    op.drop_table("bus_outbox")
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_versions_meeting_pk"))
    op.drop_table("minutes_versions")
