"""Index for the per-sender rate limit: replies to one address in the last hour.

Without it the check read the whole outbox for every e-mail answered (a scan that grows with every
message ever sent; the 2,000-mail benchmark showed it as a sixth of the gateway's time in ``finish``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_reply_rate", "outbox", [sa.text("lower(to_address)"), "kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_reply_rate", table_name="outbox")
