"""Alembic environment: runs on the connection the caller passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from interlink.adapters.sql import (
    agency_settings,  # noqa: F401  (registers its table)
    chat_schema,  # noqa: F401  (registers the chat tables)
    operation_partners,  # noqa: F401  (registers operations joined across nodes)
    outbox,  # noqa: F401  (registers the federation outbox)
    remote_watches,  # noqa: F401  (registers the federated watches and reported hits)
    reviews,  # noqa: F401  (registers media_reviews)
)
from interlink.adapters.sql.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # command-line use: ``alembic -x url=... upgrade head``
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(url).begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
