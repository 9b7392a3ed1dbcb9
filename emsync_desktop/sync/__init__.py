"""Wire protocol, outbox pusher, puller, live channel. No Qt."""
