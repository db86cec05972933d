"""Store: SQLAlchemy tables, migrations and the queries every stage uses."""
