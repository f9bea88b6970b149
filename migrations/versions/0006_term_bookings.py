"""term bookings: a booking's kind, units' term limits and request expiry

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:10:00

``bookings.kind`` ("slot" or "term": whole local days, start and end at local midnights);
``units.min_term_days``/``max_term_days`` (1..1461) and ``units.request_expiry_hours``
(1..2160, how long a request holds its seats). Existing rows take the defaults.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=5), server_default='slot', nullable=False)
        )
        batch_op.create_check_constraint(op.f('ck_bookings_kind'), "kind IN ('slot', 'term')")
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('min_term_days', sa.Integer(), server_default='1', nullable=False)
        )
        batch_op.add_column(
            sa.Column('max_term_days', sa.Integer(), server_default='1461', nullable=False)
        )
        batch_op.add_column(
            sa.Column('request_expiry_hours', sa.Integer(), server_default='48', nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_units_term_days_range'),
            'min_term_days >= 1 AND max_term_days >= min_term_days AND max_term_days <= 1461',
        )
        batch_op.create_check_constraint(
            op.f('ck_units_request_expiry_hours_range'), 'request_expiry_hours BETWEEN 1 AND 2160'
        )


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_units_request_expiry_hours_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_units_term_days_range'), type_='check')
        batch_op.drop_column('request_expiry_hours')
        batch_op.drop_column('max_term_days')
        batch_op.drop_column('min_term_days')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bookings_kind'), type_='check')
        batch_op.drop_column('kind')
