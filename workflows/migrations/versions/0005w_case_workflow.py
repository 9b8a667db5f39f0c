"""case workflow: transcript, attachments, notices, customer register, case decision fields (issue #4)

Only the case workflow's tables and columns; the mail gateway's tables are in 0005m (a parallel head,
merged later).

Revision ID: 0005w
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflows.types


revision: str = '0005w'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIMESTAMPS = (
    'identity_question_sent_at', 'identity_reminder_sent_at', 'extension_notice_sent_at',
    'refusal_notice_sent_at', 'escalated_at', 'sla_breached_at', 'consent_applied_at',
    'consent_escalated_at', 'transcript_deleted_at',
)
_STRINGS = ('identity_verification', 'assigned_agent', 'extension_reasons', 'outcome', 'refusal_reasons')
_INDEXES = {
    'ix_case_sweep_due': ['status', 'escalation_level', 'due_date'],
    'ix_case_sweep_extended': ['status', 'escalation_level', 'extended_due_date'],
    'ix_case_identity_wait': ['status', 'identity_question_sent_at'],
    'ix_case_consent': ['request_type', 'consent_applied_at', 'consent_escalated_at', 'received_at'],
    'ix_case_retention': ['transcript_deleted_at', 'closed_at'],
}


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name in _STRINGS:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        for name in _TIMESTAMPS:
            batch_op.add_column(sa.Column(name, workflows.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_assigned_agent'), ['assigned_agent'], unique=False)
        for index, columns in _INDEXES.items():
            batch_op.create_index(index, columns, unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_reference', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('direction', sa.Enum('inbound', 'outbound', name='direction'), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('email_message_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('at', workflows.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_case_reference'), ['case_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('accounting_record', sa.Boolean(), nullable=False),
    sa.Column('retain_until', sa.Date(), nullable=True),
    sa.Column('created_at', workflows.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_case_reference'), ['case_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_message_id'), ['message_id'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_reference', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', workflows.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key', name='uq_notice_dedupe_key')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_case_reference'), ['case_reference'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity_number', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('customer_number', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('legal_entities', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('protected_identity', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identity_number', name='uq_customer_identity_number')
    )


def downgrade() -> None:
    op.drop_table('customers')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_case_reference'))
    op.drop_table('notices')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_message_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_case_reference'))
    op.drop_table('attachments')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_messages_case_reference'))
    op.drop_table('messages')
    sa.Enum(name='direction').drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for index in reversed(list(_INDEXES)):
            batch_op.drop_index(index)
        batch_op.drop_index(batch_op.f('ix_cases_assigned_agent'))
        for name in reversed(_TIMESTAMPS + _STRINGS):
            batch_op.drop_column(name)
