"""Embedded S3 store (SeaweedFS `weed mini`) for development, the demo and tests."""

from devservices.s3.seaweed import S3Credentials, SeaweedS3, running_seaweed, start_seaweed

__all__ = ["S3Credentials", "SeaweedS3", "running_seaweed", "start_seaweed"]
