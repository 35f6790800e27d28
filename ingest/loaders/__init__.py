"""Readers that turn one source (file, feed, URL) into articles."""
