"""The new-object sensor's cursor: the newest Last-Modified seen and which objects carried it.

A key cursor (list keys after the last one) misses a new object whose key sorts before it, e.g.
`city=graz/...` after `city=vienna/...` (dagster #22892), so the cursor is a time high-water mark instead: an object is
new when it was modified after the mark, or at the mark and not yet seen (S3 times have whole-second or millisecond
resolution, so two objects can share one). A rewritten key is a new object (new time, new ETag), as a push event is.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from compiler.sensors.store import StoredObject


def run_key(obj: StoredObject) -> str:
    """Dagster's run_key and the compiled Workflow's name both come from the key and the ETag."""
    return f"{obj.key}@{obj.etag}"


@dataclass(frozen=True)
class ObjectCursor:
    after: datetime | None = None
    seen_at_mark: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> "ObjectCursor":
        if not text:
            return cls()
        data = json.loads(text)
        return cls(datetime.fromisoformat(data["after"]), frozenset(data["seen"]))

    def serialize(self) -> str:
        if self.after is None:
            return ""
        return json.dumps({"after": self.after.isoformat(), "seen": sorted(self.seen_at_mark)}, sort_keys=True)

    def is_new(self, obj: StoredObject) -> bool:
        if self.after is None or obj.last_modified > self.after:
            return True
        return obj.last_modified == self.after and run_key(obj) not in self.seen_at_mark

    def advanced(self, objects: Iterable[StoredObject]) -> "ObjectCursor":
        latest, seen = self.after, set(self.seen_at_mark)
        for obj in objects:
            if latest is None or obj.last_modified > latest:
                latest, seen = obj.last_modified, {run_key(obj)}
            elif obj.last_modified == latest:
                seen.add(run_key(obj))
        return ObjectCursor(latest, frozenset(seen))
