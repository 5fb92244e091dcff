"""category names: "Jewelry & Watches" is now "Jewellery & Watches" (as the bot always showed)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_RENAMED = {"Jewelry & Watches": "Jewellery & Watches"}


def _rename(names: dict[str, str]) -> None:
    items = sa.table("items", sa.column("category", sa.String))
    for old, new in names.items():
        op.execute(items.update().where(items.c.category == old).values(category=new))


def upgrade() -> None:
    _rename(_RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in _RENAMED.items()})
