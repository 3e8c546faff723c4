"""Query parameters of every list endpoint: `limit` and `offset`."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from services.shared.bounds import MAX_ID

Limit = Annotated[int, Parameter(ge=1, le=1000, description="最多返回条数 / at most this many items")]
# The exact maximum for OpenAPI, which otherwise states the bound as a float that rounds up to 2^63.
Offset = Annotated[
    int, Parameter(ge=0, le=MAX_ID, description="跳过条数 / skip this many items", schema_extra={"maximum": MAX_ID})
]
