"""One claim per owner and found item (older duplicates merged into the one that got furthest),
the owner-confirmed hand-back (claims.handed_at, claims.reminded_at), and the username each side
agreed to share (claims.owner_contact, claims.finder_contact).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# how far a claim got: of an owner's several claims on one item, the furthest one is kept
RANK = {'returned': 6, 'handed': 5, 'accepted': 4, 'pending': 3, 'declined': 2, 'cancelled': 1}


def _dedupe() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, found_id, claimant_id, status FROM claims '
                                'ORDER BY id')).fetchall()
    keep: dict[tuple[int, int], tuple[int, int]] = {}
    drop: list[int] = []
    for claim_id, found_id, claimant_id, status in rows:
        key, rank = (found_id, claimant_id), RANK.get(status, 0)
        if key not in keep:
            keep[key] = (rank, claim_id)
        elif rank > keep[key][0]:
            drop.append(keep[key][1])
            keep[key] = (rank, claim_id)
        else:
            drop.append(claim_id)
    for claim_id in drop:
        bind.execute(sa.text('DELETE FROM claims WHERE id = :id'), {'id': claim_id})


def upgrade() -> None:
    _dedupe()
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('owner_contact', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('finder_contact', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_claims_found_id_claimant_id',
                                          ['found_id', 'claimant_id'])


def downgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint('uq_claims_found_id_claimant_id', type_='unique')
        batch_op.drop_column('finder_contact')
        batch_op.drop_column('owner_contact')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('handed_at')
