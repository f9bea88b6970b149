"""observatory: territories, the anonymous search log, a person's home commune

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 23:30:00

``territory_communes`` (an organisation's communes by INSEE code), ``search_logs`` (time, commune,
radius, dated, results: nothing about the person) and ``users.home_commune``.
"""
from alembic import op
import sqlalchemy as sa

import spaces.db


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('territory_communes',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('insee_code', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_territory_communes_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'insee_code', name=op.f('pk_territory_communes'))
    )
    op.create_table('search_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('searched_at', spaces.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('insee_code', sa.String(length=5), nullable=True),
    sa.Column('radius_km', sa.Float(), nullable=True),
    sa.Column('dated', sa.Boolean(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_logs'))
    )
    with op.batch_alter_table('search_logs', schema=None) as batch_op:
        batch_op.create_index('ix_search_logs_insee_code_searched_at', ['insee_code', 'searched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_logs_searched_at'), ['searched_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_commune', sa.String(length=5), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_home_commune'), ['home_commune'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_home_commune'))
        batch_op.drop_column('home_commune')

    with op.batch_alter_table('search_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_logs_searched_at'))
        batch_op.drop_index('ix_search_logs_insee_code_searched_at')

    op.drop_table('search_logs')
    op.drop_table('territory_communes')
