"""Turning news articles from files, feeds and URLs into an indexed, citable corpus."""
