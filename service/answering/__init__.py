"""Turning retrieved passages into an answer whose every citation is checked."""
