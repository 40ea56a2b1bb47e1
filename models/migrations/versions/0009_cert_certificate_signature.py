"""the certificate's signature line in the directory

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:00:00

`[network] certificate_signature` (and `_en`): the line the coordinators set for the
certificates of participation.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ("certificate_signature", "certificate_signature_en")


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column(
            "network",
            sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        )


def downgrade() -> None:
    with op.batch_alter_table("network") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
