"""Which poller may poll a feed now: a lease on the feed's row in the shared catalog.

Several API workers, on one host or many, run a poller each; taking the lease is one
conditional UPDATE, which both engines apply atomically, so exactly one of them wins and
the others skip the feed. A lease expires by itself, so a poller killed mid-poll holds up
its feed only until then.
"""

from __future__ import annotations

from ingest.store.catalog import Catalog


class FeedLeases:
    def __init__(self, catalog: Catalog, owner: str) -> None:
        self._catalog = catalog
        self.owner = owner

    def acquire(self, feed_id: str, now: float, lease_s: float) -> bool:
        """Take (or extend, when already held by this owner) the feed's lease until
        ``now + lease_s``; False when another owner holds an unexpired one."""
        cursor = self._catalog.execute(
            "UPDATE feeds SET lease_owner=?, lease_until=? WHERE feed_id=?"
            " AND (lease_until IS NULL OR lease_until < ? OR lease_owner=?)",
            (self.owner, now + lease_s, feed_id, now, self.owner))
        return bool(cursor.rowcount == 1)

    def release(self, feed_id: str) -> None:
        self._catalog.execute("UPDATE feeds SET lease_owner=NULL, lease_until=NULL"
                              " WHERE feed_id=? AND lease_owner=?", (feed_id, self.owner))
