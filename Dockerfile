# The image every Argo step runs: `python -m compiler materialize --module assets.definitions --asset KEY ...`.
# Name and tag come from [tool.compiler] image / image_tag in pyproject.toml. No credentials are baked in:
# pods get them from Kubernetes Secrets (secretKeyRef) at run time.
#
# The base image is pinned by digest, so a rebuild gets the same bytes, not whatever the tag points at that day.
# The digest below is the multi-arch index of python:3.11-slim as pinned by several public projects; it could not be
# checked against the registry from the sandbox where it was written. Before a release, and to take base-image
# security fixes, verify and update it with:
#   docker buildx imagetools inspect python:3.11-slim --format '{{json .Manifest.Digest}}'
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The generated pod securityContext runs as UID/GID 1000 with a read-only root filesystem and /tmp as emptyDir.
RUN groupadd --gid 1000 pipeline && useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin pipeline

WORKDIR /app
COPY pyproject.toml requirements.lock README.md workspace.yaml ./
COPY assets ./assets
COPY dagster-argo ./dagster-argo
COPY devservices ./devservices
RUN pip install --constraint requirements.lock ./dagster-argo . && rm -rf /root/.cache

USER 1000:1000
ENV HOME=/tmp DAGSTER_HOME=/tmp/dagster
CMD ["python", "-m", "compiler", "--help"]
