# The image every Argo step runs: `python -m compiler materialize --module assets --asset KEY ...`.
# Name and tag come from [tool.compiler] image / image_tag in pyproject.toml. No credentials are baked in:
# pods get them from Kubernetes Secrets (secretKeyRef) at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The generated pod securityContext runs as UID/GID 1000 with a read-only root filesystem and /tmp as emptyDir.
RUN groupadd --gid 1000 pipeline && useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin pipeline

WORKDIR /app
COPY pyproject.toml requirements.lock README.md workspace.yaml ./
COPY assets ./assets
COPY compiler ./compiler
COPY devservices ./devservices
RUN pip install --constraint requirements.lock . && rm -rf /root/.cache

USER 1000:1000
ENV HOME=/tmp DAGSTER_HOME=/tmp/dagster
CMD ["python", "-m", "compiler", "--help"]
