"""the network's privacy page and travel rates per city pair

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 05:00:00

The directory file's `[network] privacy_url` and `[[travel_rate]]` entries.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "network",
        sa.Column("privacy_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    )
    op.create_table(
        "travel_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_a", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("city_b", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("cents_per_person", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("city_a", "city_b", name="uq_travel_rate"),
    )


def downgrade() -> None:
    op.drop_table("travel_rate")
    with op.batch_alter_table("network") as batch:
        batch.drop_column("privacy_url")
