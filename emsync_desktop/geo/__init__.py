"""Hospital ranking, routing, map page builder. No Qt."""
