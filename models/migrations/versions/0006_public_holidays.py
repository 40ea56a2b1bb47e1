"""public holidays per city and for the network

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

The directory file's `holidays` codes ("DE", "DE-BY"): working days skip them.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("network", "city"):
        op.add_column(
            table,
            sa.Column("holidays", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        )


def downgrade() -> None:
    for table in ("city", "network"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("holidays")
