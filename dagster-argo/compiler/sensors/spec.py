"""What `new_object_sensor` was given, free of Dagster: the compiler's model and the pod read it back from the
sensor's metadata (`METADATA_KEY`, JSON), so a sensor carries its own compilable description."""

import json
from dataclasses import asdict, dataclass
from typing import Any

from compiler.sensors.keys import ObjectKeyRule
from compiler.sensors.store import StoreVariables

METADATA_KEY = "dagster-argo/new-object-sensor"
OBJECT_KEY_TAG = "dagster-argo/object-key"


@dataclass(frozen=True)
class ObjectSensorSpec:
    """What `new_object_sensor` was given, as the compiler and the pod read it back from the sensor's metadata."""

    name: str
    bucket: str  # the bucket's name, or "" when `bucket_variable` names the variable holding it
    bucket_variable: str
    prefix: str
    suffix: str
    pattern: str | None
    variables: StoreVariables

    @property
    def rule(self) -> ObjectKeyRule:
        return ObjectKeyRule(self.prefix, self.suffix, self.pattern)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ObjectSensorSpec":
        data: dict[str, Any] = json.loads(text)
        return cls(**{**data, "variables": StoreVariables(**data["variables"])})
