"""Settings shared by the events replay tests (object, asset and multi-asset sensors)."""

from pathlib import Path


def replay_settings(name: str, env: dict[str, str], markers: Path) -> str:
    """The [tool.compiler] settings of an events replay project called `name`: the store from the test's S3
    environment, its credentials by Secret reference (never a value), the fixture's marker folder."""
    return f"""
[tool.compiler]
name = "{name}"
image = "registry.example/{name}"
image_tag = "1.0"
namespace = "argo"
service_account = "{name}"
config_map = "{name}-config"

[tool.compiler.config]
FIXTURE_MARKER_DIR = "{markers}"
MINIO_BUCKET = "{env["MINIO_BUCKET"]}"
MINIO_ENDPOINT = "{env["MINIO_ENDPOINT"]}"

[tool.compiler.env]
HOME = "/tmp"

[tool.compiler.secrets]
MINIO_ACCESS_KEY = {{ name = "minio-credentials", key = "access-key" }}
MINIO_SECRET_KEY = {{ name = "minio-credentials", key = "secret-key" }}
"""
