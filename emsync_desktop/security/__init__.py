"""Keys, field encryption and password hashing. No Qt, no SQL."""
