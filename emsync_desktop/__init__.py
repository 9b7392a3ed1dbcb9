"""EMsync Desktop: offline-first emergency coordination for ambulances and wards."""

__version__ = "0.1.0"
