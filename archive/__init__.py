"""Settings, tables, database engine and storage functions: the archive's source of truth."""
