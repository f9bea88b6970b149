"""linked units: a unit may be part of another unit of its space (a building and its rooms)

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 20:10:00

``units.part_of``: the parent unit (booked whole) or null; indexed where not null (parts are few),
since the availability loader reads the bookings of a unit's parts with it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part_of', sa.Integer(), nullable=True))
        batch_op.create_index(
            'ix_units_part_of', ['part_of'], unique=False,
            postgresql_where=sa.text('part_of IS NOT NULL'),
            sqlite_where=sa.text('part_of IS NOT NULL'),
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_units_part_of_units'), 'units', ['part_of'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_part_of_units'), type_='foreignkey')
        batch_op.drop_index('ix_units_part_of')
        batch_op.drop_column('part_of')
