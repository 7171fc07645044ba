"""An S3 API on loopback (moto's server) for state tests, and the client to inspect it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "moto-access-key", "AWS_SECRET_ACCESS_KEY": "moto-secret"}


@dataclass
class S3:
    endpoint: str
    client: Any

    def objects(self, bucket: str) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {item["Key"] for item in listed}

    def read(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body


@contextmanager
def s3_server() -> Iterator[S3]:
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        yield S3(endpoint, client)
    finally:
        server.stop()
