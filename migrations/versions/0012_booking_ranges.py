"""bookings: indexes the availability loader answers from alone

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:10:00

The availability loader asks for the bookings overlapping a window for many units at once. With
``start_at < :end AND end_at > :start`` alone PostgreSQL guesses thousands of rows where there are
a few hundred and scans the table; ``tstzrange(start_at, end_at) && tstzrange(:start, :end)`` on
this index is estimated from range statistics and answered by the index. SQLite has no such index
and keeps the composite (unit_id, start_at, end_at) one. Not in the models: an expression index
is PostgreSQL-only, and reflection skips it, so the models and the migrations still compare equal.

The per-unit index (unit_id, start_at, end_at) becomes covering — plus status, expires_at, seats
and id, all the loader reads — so that a window's bookings never visit the table (SQLite scans a
unit's earlier entries for ``start_at < :end``; each was a table lookup). The loader also bounds
the start from below (a slot lasts 92 days at most) and reads older terms through a partial
index of terms by end. The single-column index of the sponsor goes: the employers' two covering
indexes (0010) start with it, and PostgreSQL picked it right after a bulk update and filtered a
whole employer's bookings (the sponsored booking's p95 at 65 ms instead of 17).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


COVERING = ['unit_id', 'start_at', 'end_at', 'status', 'expires_at', 'seats', 'id']


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_unit_id_start_at_end_at')
        batch_op.create_index('ix_bookings_unit_window', COVERING, unique=False)
        # The sponsor's two covering indexes (0010) lead with it: this one only misled the planner.
        batch_op.drop_index('ix_bookings_sponsor_organisation_id')
        batch_op.create_index(
            'ix_bookings_terms_by_end', ['unit_id', 'end_at'], unique=False,
            sqlite_where=sa.text("kind = 'term'"), postgresql_where=sa.text("kind = 'term'"),
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE INDEX ix_bookings_time_range ON bookings "
            "USING gist (tstzrange(start_at, end_at, '[)'))"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_bookings_time_range')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_terms_by_end')
        batch_op.create_index(
            'ix_bookings_sponsor_organisation_id', ['sponsor_organisation_id'], unique=False
        )
        batch_op.drop_index('ix_bookings_unit_window')
        batch_op.create_index(
            'ix_bookings_unit_id_start_at_end_at', ['unit_id', 'start_at', 'end_at'], unique=False
        )
