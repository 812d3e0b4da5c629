import dagster as dg
from dagster_aws.s3 import S3PickleIOManager, S3Resource


@dg.definitions
def resources() -> dg.Definitions:
    """Values pass between assets through S3 (any S3-compatible store): endpoint, bucket and prefix from the
    environment, credentials too, never in code."""
    s3 = S3Resource(
        endpoint_url=dg.EnvVar("S3_ENDPOINT_URL"),
        aws_access_key_id=dg.EnvVar("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=dg.EnvVar("AWS_SECRET_ACCESS_KEY"),
        region_name="us-east-1",
    )
    io_manager = S3PickleIOManager(s3_resource=s3, s3_bucket=dg.EnvVar("S3_BUCKET"), s3_prefix=dg.EnvVar("S3_PREFIX"))
    return dg.Definitions(resources={"io_manager": io_manager})
