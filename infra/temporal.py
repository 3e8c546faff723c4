"""The Temporal client, with a data converter that carries msgspec Structs as JSON."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import (
    BinaryNullPayloadConverter,
    BinaryPlainPayloadConverter,
    BinaryProtoPayloadConverter,
    CompositePayloadConverter,
    DataConverter,
    EncodingPayloadConverter,
    JSONProtoPayloadConverter,
)

from infra.settings import Settings


class MsgspecJSONPayloadConverter(EncodingPayloadConverter):
    """``json/plain`` through msgspec: Structs, dataclasses, dates and enums in and out, typed by hint."""

    _encoder = msgspec.json.Encoder()

    @property
    def encoding(self) -> str:
        return "json/plain"

    def to_payload(self, value: Any) -> Payload | None:
        return Payload(metadata={"encoding": b"json/plain"}, data=self._encoder.encode(value))

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        if type_hint is None or type_hint is Any:
            return msgspec.json.decode(payload.data)
        return msgspec.json.decode(payload.data, type=type_hint, strict=False)


class MsgspecPayloadConverter(CompositePayloadConverter):
    """The default converters, with msgspec in place of the standard JSON one."""

    def __init__(self) -> None:
        super().__init__(
            BinaryNullPayloadConverter(),
            BinaryPlainPayloadConverter(),
            JSONProtoPayloadConverter(),
            BinaryProtoPayloadConverter(),
            MsgspecJSONPayloadConverter(),
        )


DATA_CONVERTER = dataclasses.replace(DataConverter.default, payload_converter_class=MsgspecPayloadConverter)


async def connect(settings: Settings, address: str | None = None) -> Client:
    """A client for ``address`` (default: the settings' ``TEMPORAL_ADDRESS``)."""
    target = address or settings.temporal_address
    if target is None:
        raise RuntimeError("TEMPORAL_ADDRESS is not set and no local Temporal server was started")
    return await Client.connect(target, namespace=settings.temporal_namespace, data_converter=DATA_CONVERTER)
