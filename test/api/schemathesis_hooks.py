"""Schemathesis hooks for test/api/schemathesis.test.ts (loaded through SCHEMATHESIS_HOOKS).

Schemathesis sends bodies only in media types it has a serializer for; an RFC 3161 query
(`POST /tsa`) is DER bytes, sent as they are generated, like application/octet-stream.
"""

import schemathesis
from schemathesis.transport.serialization import serialize_binary


@schemathesis.serializer("application/timestamp-query")
def timestamp_query(ctx, value):
    return serialize_binary(value)
