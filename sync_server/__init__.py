"""EMsync sync server (FastAPI). The authority for beds, transfers and handoffs.

Built by the sync issue; it imports ``emsync_desktop.domain`` and
``emsync_desktop.sync.protocol`` rather than copying them.
"""
