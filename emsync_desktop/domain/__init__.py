"""Pure rules and value types. Imports nothing outside the standard library.

The sync server imports this package, so it must stay free of Qt, SQL and I/O.
"""
