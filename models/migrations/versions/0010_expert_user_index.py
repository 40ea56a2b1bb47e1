"""an index on the expert's person

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:00:00

An expert's Home tab lists the exchanges they were named for (`expert.user_id = ?`); without
an index that read every expert row (the bench's Home at scale: SCAN expert).
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_expert_user", "expert", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_expert_user", table_name="expert")
