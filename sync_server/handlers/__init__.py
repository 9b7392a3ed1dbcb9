"""Op handlers, one module per kind of record (dispatched by ``sync_server.ops``)."""
