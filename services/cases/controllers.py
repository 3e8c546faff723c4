"""``/api/tenants/{tenant}/cases``: a city's typical cases (draft, submit, review, images);
``/api/province/{province}/cases``: its cities' accepted and published cases, and publishing them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, JSONBody, Parameter

from services.cases import publication, service
from services.cases.schemas import (
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    Case,
    CaseCreate,
    CaseImageSaved,
    CaseReview,
    CaseStatus,
    CaseUpdate,
)
from services.deps import STREET_DATA_WRITERS, At, Caller, Db, Province, app_context, requires
from services.shared.bounds import IdParam, id_query
from services.shared.files import file_response
from services.shared.imports import Upload
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged
from tenants.context import Role

Position = Annotated[int, Parameter(ge=1, le=MAX_IMAGES, description="图片序号 / the image's number, 1 to 6")]
StatusFilter = Annotated[CaseStatus | None, Parameter(description="按状态筛选 / only this status")]
PublishedFilter = Annotated[
    Literal["accepted", "published"] | None,
    Parameter(description="已采纳或已发布 / only accepted, or only published, cases"),
]
# A 5 MB image and its multipart envelope: a larger image is refused by the service with its own message.
UPLOAD_BYTES = MAX_IMAGE_BYTES + 64 * 1024


IMAGE_SPEC = ResponseSpec(data_container=bytes, media_type="image/*", description="JPEG 或 PNG / a JPEG or PNG image")


class CaseController(Controller):
    path = "/api/tenants/{tenant:str}/cases"
    tags = ["cases"]

    @get(
        "/",
        summary="典型案例 / the city's typical cases (an operator: its street's)",
        response_headers=TOTAL_COUNT_HEADERS,
    )
    async def list_cases(
        self,
        at: At,
        street_id: Annotated[int | None, id_query("streetId", "街区 / only this street's")] = None,
        status: StatusFilter = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Case]]:
        found = await service.list_cases(
            at.db, at.actor, at.tenant_id, street_id=street_id, status=status, limit=limit, offset=offset
        )
        return paged(found)

    @post("/", guards=[STREET_DATA_WRITERS], summary="起草案例 / draft a case for a street")
    async def create_case(self, at: At, data: JSONBody[CaseCreate]) -> Case:
        return await service.create_case(at.db, at.actor, at.tenant_id, data)

    @get("/{case_id:int}", summary="案例 / one case")
    async def get_case(self, at: At, case_id: IdParam) -> Case:
        return await service.get_case(at.db, at.actor, at.tenant_id, case_id)

    @patch(
        "/{case_id:int}",
        guards=[STREET_DATA_WRITERS],
        summary="修改案例（草稿或退回）/ change a draft or returned case",
    )
    async def update_case(self, at: At, case_id: IdParam, data: JSONBody[CaseUpdate]) -> Case:
        return await service.update_case(at.db, at.actor, at.tenant_id, case_id, data)

    @post(
        "/{case_id:int}/submit", guards=[STREET_DATA_WRITERS], status_code=200, summary="提交审核 / submit for review"
    )
    async def submit_case(self, at: At, case_id: IdParam) -> Case:
        return await service.submit_case(at.db, at.actor, at.tenant_id, case_id)

    @post(
        "/{case_id:int}/review",
        guards=[requires(Role.CITY_ADMIN)],
        status_code=200,
        summary="审核（采纳或退回并附意见）/ accept, or return with a comment",
    )
    async def review_case(self, at: At, case_id: IdParam, data: JSONBody[CaseReview]) -> Case:
        return await service.review_case(at.db, at.actor, at.tenant_id, case_id, data)

    @post(
        "/{case_id:int}/images",
        guards=[STREET_DATA_WRITERS],
        request_max_body_size=UPLOAD_BYTES,
        summary="上传图片（JPEG/PNG，≤5 MB，至多 6 张）/ add an image (JPEG or PNG by content, at most 5 MB, six)",
    )
    async def add_image(
        self, at: At, case_id: IdParam, data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> CaseImageSaved:
        return await service.add_image(at.db, at.actor, at.tenant_id, case_id, await data.file.read())

    @get(
        "/{case_id:int}/images/{position:int}",
        summary="案例图片 / one image of the case",
        responses={200: IMAGE_SPEC},
    )
    async def get_image(self, at: At, case_id: IdParam, position: Position) -> Response[bytes]:
        return file_response(await service.get_image(at.db, at.actor, at.tenant_id, case_id, position))


def publication_route(action: Literal["publish", "unpublish"], *, summary: str) -> HTTPRouteHandler:
    """``POST /{city}/{case_id}/<action>`` of the province admin: publish a city's accepted case, or withdraw a
    published one (it is accepted again). The handler is named `action`: the route's operation id ends with it."""

    async def handler(
        self: Controller,  # noqa: ARG001 - a controller calls its handlers as methods
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        province: Province,
        city: FromPath[str],
        case_id: IdParam,
    ) -> Case:
        directory = app_context(request).directory
        publish = action == "publish"
        return await publication.set_published(db, actor, directory, province, city, case_id, publish=publish)

    handler.__name__ = handler.__qualname__ = action
    guards = [requires(Role.PROVINCE_ADMIN, province=True)]
    return post(f"/{{city:str}}/{{case_id:int}}/{action}", guards=guards, status_code=200, summary=summary)(handler)


class ProvinceCaseController(Controller):
    path = "/api/province/{province:str}/cases"
    tags = ["cases"]

    @get(
        "/",
        guards=[requires(Role.PROVINCE_ADMIN, Role.VIEWER, Role.DEPARTMENT_VIEWER, province=True)],
        summary="各市已采纳和已发布的案例 / the cities' accepted and published cases",
        response_headers=TOTAL_COUNT_HEADERS,
    )
    async def list_cases(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        actor: Caller,
        province: Province,
        status: PublishedFilter = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Case]]:
        directory = app_context(request).directory
        found = await publication.province_cases(
            db, actor, directory, province, status=status, limit=limit, offset=offset
        )
        return paged(found)

    publish = publication_route("publish", summary="发布案例 / publish an accepted case")
    unpublish = publication_route("unpublish", summary="撤回发布 / withdraw a published case (it is accepted again)")
