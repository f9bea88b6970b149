"""space name key (search without a place sorted in SQL), statistics on positions (PostgreSQL)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:20:00

- ``spaces.name_key``: the name in lower case (Python's ``str.lower()``), compared by code point
  (collation "C" on PostgreSQL), indexed with the status: a search without a place is ordered,
  counted and paged by the database in the order search always used. Filled here for the spaces
  that exist.
- PostgreSQL only: extended statistics on ``(latitude, longitude)``, so that the planner sees how
  dense a bounding box around a city is (without them it multiplies the two ranges' selectivities
  as if they were independent, and estimated 346 spaces around Paris instead of 1,344).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NAME_KEY = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
BATCH = 1000


def upgrade():
    connection = op.get_bind()
    sqlite = connection.dialect.name == 'sqlite'
    # SQLite adds a NOT NULL column only with a default (without rebuilding the table): '' until
    # it is filled below, where it stays as the column's default (the app always gives the key).
    op.add_column(
        'spaces',
        sa.Column('name_key', NAME_KEY, nullable=not sqlite, server_default='' if sqlite else None),
    )

    spaces = sa.table('spaces', sa.column('id', sa.Integer), sa.column('name', sa.String),
                      sa.column('name_key', sa.Text))
    rows = connection.execute(sa.select(spaces.c.id, spaces.c.name)).all()
    update = (
        sa.update(spaces)
        .where(spaces.c.id == sa.bindparam('space_id'))
        .values(name_key=sa.bindparam('key'))
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(
            update,
            [{'space_id': i, 'key': (name or '').lower()} for i, name in rows[start:start + BATCH]],
        )
    if not sqlite:
        op.alter_column('spaces', 'name_key', existing_type=NAME_KEY, nullable=False)
    op.create_index('ix_spaces_status_name_key', 'spaces', ['status', 'name_key', 'id'], unique=False)

    if connection.dialect.name == 'postgresql':
        op.execute(
            'CREATE STATISTICS IF NOT EXISTS st_spaces_position (mcv, dependencies)'
            ' ON latitude, longitude FROM spaces'
        )
        op.execute('ANALYZE spaces')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS st_spaces_position')
    op.drop_index('ix_spaces_status_name_key', table_name='spaces')
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.drop_column('name_key')
