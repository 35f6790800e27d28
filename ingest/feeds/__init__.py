"""Watching feeds: what a feed is, how it is fetched and how its entries become articles."""
