"""Chat evidence: one streaming reader per export format, identifier extraction and
grooming-risk triage (pure capabilities; storage is ``adapters.sql.chats``)."""
