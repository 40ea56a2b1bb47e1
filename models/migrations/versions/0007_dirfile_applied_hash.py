"""the directory file's content hash, as last applied from its path

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:00:00

At start the directory file is applied only when its content changed since it was last
applied: an unchanged file never undoes what the coordinators changed in Slack.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_file",
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("applied_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("path"),
    )


def downgrade() -> None:
    op.drop_table("directory_file")
