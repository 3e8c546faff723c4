"""``/api/tenants/{tenant}/streets/{id}/attestations``: the operator's claims, the city's verification of them
and their evidence files."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, put
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, JSONBody

from services.attestations import service
from services.attestations.schemas import MAX_EVIDENCE_BYTES, Attestation, AttestationDecision, Claim
from services.deps import At, requires
from services.shared.bounds import IdParam
from services.shared.files import file_response
from services.shared.imports import Upload
from services.shared.paging import street_whole_list_route
from tenants.context import Role

# A 10 MB file and its multipart envelope: a larger file is refused by the service with its own message.
UPLOAD_BYTES = MAX_EVIDENCE_BYTES + 64 * 1024
# One of three types, by the file's content: OpenAPI names one media type per entry, so the range is given.
EVIDENCE_SPEC = ResponseSpec(
    data_container=bytes,
    media_type="*/*",
    description="application/pdf、image/jpeg 或 image/png（按内容判断）/ a PDF, JPEG or PNG file, typed by its content",
)


class AttestationController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/attestations"
    tags = ["attestations"]

    list_attestations = street_whole_list_route(
        service.list_attestations,
        Attestation,
        name="list_attestations",
        summary="运营机构申报事项及核实状态 / the operator's claims and their verification",
    )

    @put(
        "/{claim:str}",
        guards=[requires(Role.CITY_ADMIN)],
        summary="核实或驳回申报事项（市级管理员）/ verify or reject a claim (the city admin)",
    )
    async def decide(
        self, at: At, street_id: IdParam, claim: Claim, data: JSONBody[AttestationDecision]
    ) -> Attestation:
        return await service.decide(at.db, at.actor, at.tenant_id, street_id, claim, data)

    @put(
        "/{claim:str}/evidence",
        guards=[requires(Role.CITY_ADMIN)],
        request_max_body_size=UPLOAD_BYTES,
        summary="上传证明材料（PDF/JPEG/PNG，按内容判断，≤10 MB）/ attach the evidence (PDF, JPEG or PNG by content, "
        "at most 10 MB)",
    )
    async def attach_evidence(
        self,
        at: At,
        street_id: IdParam,
        claim: Claim,
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Attestation:
        return await service.attach_evidence(at.db, at.actor, at.tenant_id, street_id, claim, await data.file.read())

    @get(
        "/{claim:str}/evidence",
        summary="下载证明材料 / the evidence file",
        responses={200: EVIDENCE_SPEC},
    )
    async def get_evidence(self, at: At, street_id: IdParam, claim: Claim) -> Response[bytes]:
        return file_response(await service.get_evidence(at.db, at.actor, at.tenant_id, street_id, claim))
