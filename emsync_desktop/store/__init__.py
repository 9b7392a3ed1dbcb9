"""SQLite persistence: engine, schema, migrations, repositories. No Qt."""
