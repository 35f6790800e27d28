"""Feeds polled in the background while the service runs, and their commands."""
