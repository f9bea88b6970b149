"""listing imports: spreadsheet uploads, a space's import reference and surface

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-29 20:15:00

``spaces.import_reference`` (unique per organisation: a re-uploaded row updates its place) and
``spaces.surface_m2``; ``listing_imports`` keeps the checked rows of an upload until it runs.
"""
from alembic import op
import sqlalchemy as sa

import spaces.db


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_reference', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('surface_m2', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_spaces_organisation_id'), ['organisation_id', 'import_reference']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_spaces_surface_positive'), 'surface_m2 IS NULL OR surface_m2 > 0'
        )

    op.create_table('listing_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='ready', nullable=False),
    sa.Column('rows_json', sa.Text(), nullable=False),
    sa.Column('total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('message', sa.Text(), server_default='', nullable=False),
    sa.Column('finished_at', spaces.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', spaces.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ready', 'queued', 'running', 'done', 'failed')", name=op.f('ck_listing_imports_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_listing_imports_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_listing_imports_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_imports'))
    )
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_imports_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_imports_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_imports_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_listing_imports_created_by_id'))
    op.drop_table('listing_imports')

    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_spaces_surface_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_spaces_organisation_id'), type_='unique')
        batch_op.drop_column('surface_m2')
        batch_op.drop_column('import_reference')
