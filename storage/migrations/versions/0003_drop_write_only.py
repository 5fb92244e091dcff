"""Drop what was written and never read: matches.notified, users.is_admin (admins are ADMIN_IDS),
the model_versions table (data/models is the one record of which model serves, ModelStore).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('notified')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_admin')
    op.drop_table('model_versions')


def downgrade() -> None:
    op.create_table('model_versions',
                    sa.Column('version', sa.String(length=64), nullable=False),
                    sa.Column('path', sa.String(length=512), nullable=False),
                    sa.Column('status', sa.String(length=16), nullable=False),
                    sa.Column('metrics', sa.Text(), nullable=True),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('version'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
