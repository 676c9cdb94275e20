"""Alembic migration scripts of the service database."""
