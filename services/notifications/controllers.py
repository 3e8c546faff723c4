"""``/api/notifications``: the caller's own notifications and marking one read."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK

from services.deps import Caller, Db
from services.notifications import service
from services.notifications.schemas import Notification
from services.shared.bounds import IdParam
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged


class NotificationController(Controller):
    # Not under /api/tenants/{tenant}: a user only ever sees their own, in their own tenant.
    path = "/api/notifications"
    tags = ["notifications"]

    @get("/", summary="我的通知 / the caller's notifications, newest first", response_headers=TOTAL_COUNT_HEADERS)
    async def list_notifications(
        self,
        db: Db,
        actor: Caller,
        unread: Annotated[bool, Parameter(description="只看未读 / unread only")] = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Notification]]:
        return paged(await service.list_for_user(db, actor, unread=unread, limit=limit, offset=offset))

    @post("/{notification_id:int}/read", status_code=HTTP_200_OK, summary="标记已读 / mark one read")
    async def mark_read(self, db: Db, actor: Caller, notification_id: IdParam) -> Notification:
        return await service.mark_read(db, actor, notification_id)
