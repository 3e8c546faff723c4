"""The Litestar application: routes, auth, dependencies, error shapes, OpenAPI with local assets."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.jwt import JWTCookieAuth, Token
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from services.activities.controllers import ActivityController
from services.assessments.controllers import AssessmentController
from services.attestations.controllers import AttestationController
from services.audit.controllers import AuditController, AuditExportController
from services.auth.controllers import AuthController, retrieve_actor
from services.auth.tokens import VerifiedToken
from services.cases.controllers import CaseController, ProvinceCaseController
from services.context import AppContext
from services.cycles.controllers import CycleController, SelectionController
from services.deps import provide_actor, provide_db, provide_scope, provide_temporal, provide_tenant
from services.entities.controllers import EntityController
from services.errors.handlers import EXCEPTION_HANDLERS, QUIET, log_uncaught
from services.fields.controllers import FieldController
from services.followups.controllers import TaskController
from services.grades.controllers import GradeSchemeController, StreetGradeController
from services.health.controllers import health
from services.labels.controllers import LabelController
from services.ledger.controllers import LedgerController
from services.notifications.controllers import NotificationController
from services.openapi import finish_app_openapi
from services.province_report.controllers import ReportingController
from services.rulesets.controllers import BaselineController, RulesetController
from services.shared.bounds import MAX_BODY_BYTES, BoundedRequest
from services.streetreports.controllers import StreetReportController
from services.streets.controllers import StreetController
from services.templates.controllers import TemplateController
from services.tenancy.controllers import TenantController
from services.users.controllers import UserController
from services.web.controllers import WEB_ROUTES
from services.web.render import STATIC, STATIC_PATH, template_config
from services.workload.controllers import CenterServiceController, WorkloadController
from tenants.context import Actor

SWAGGER_ASSETS = "/schema/assets"
PUBLIC_PATHS = ("^/schema", "^/health", "^/api/auth/login", "^/$", "^/cases(/|$)", "^/favicon", f"^{STATIC_PATH}/")
"""Paths answered without sign-in."""

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    health,
    AuthController,
    TenantController,
    AuditController,
    AuditExportController,
    CenterServiceController,
    WorkloadController,
    FieldController,
    StreetController,
    AttestationController,
    EntityController,
    ActivityController,
    StreetReportController,
    LedgerController,
    ReportingController,
    RulesetController,
    BaselineController,
    AssessmentController,
    GradeSchemeController,
    StreetGradeController,
    NotificationController,
    CycleController,
    SelectionController,
    TaskController,
    UserController,
    LabelController,
    TemplateController,
    CaseController,
    ProvinceCaseController,
]
"""Every domain adds its controllers here."""


def _swagger_dir() -> Path:
    import swagger_ui_bundle  # noqa: PLC0415 - only needed where the docs are served

    return Path(swagger_ui_bundle.swagger_ui_path)


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Jiequ 街区 API",
        version="1.0.0",
        description="山东省创业街区管理服务 / Shandong Province Entrepreneurship Street programme service",
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                path="/swagger",
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
            )
        ],
        components=Components(
            security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
    )


def create_app(context: AppContext, extra_handlers: list[ControllerRouterHandler] | None = None) -> Litestar:
    """The API over ``context``; the caller owns the context's lifetime."""
    auth = JWTCookieAuth[Actor, Token](
        retrieve_user_handler=retrieve_actor,
        token_secret=context.settings.jwt_secret,
        token_cls=VerifiedToken,
        key="jiequ_token",
        exclude=list(PUBLIC_PATHS),
        openapi_security_scheme_name="BearerToken",
        samesite="lax",
    )

    async def startup(app: Litestar) -> None:
        await context.load_directory()
        finish_app_openapi(app, PUBLIC_PATHS)

    assets = create_static_files_router(
        path=SWAGGER_ASSETS,
        directories=[_swagger_dir()],
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )
    static = create_static_files_router(
        path=STATIC_PATH, directories=[STATIC], include_in_schema=False, opt={"exclude_from_auth": True}
    )
    # Pages' form posts carry the token; the JSON API (Bearer tokens, SameSite cookie) and its docs do not.
    csrf = CSRFConfig(
        secret=context.settings.jwt_secret + ":csrf",
        cookie_name="jiequ_csrf",
        cookie_httponly=True,
        exclude=["^/api", "^/schema", "^/health", f"^{STATIC_PATH}/"],
    )
    return Litestar(
        route_handlers=[*ROUTE_HANDLERS, *(extra_handlers or []), assets, static, WEB_ROUTES],
        template_config=template_config(),
        csrf_config=csrf,
        dependencies={
            "actor": Provide(provide_actor),
            "db": Provide(provide_db),
            "tenant_id": Provide(provide_tenant),
            "at": Provide(provide_scope),
            "temporal": Provide(provide_temporal),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        # Every body is bounded in size (import routes allow a file's size) and JSON in nesting.
        request_max_body_size=MAX_BODY_BYTES,
        request_class=BoundedRequest,
        on_app_init=[auth.on_app_init],
        on_startup=[startup],
        openapi_config=_openapi(),
        # Warnings and unexpected errors only: the libraries' INFO chatter drowns the banner otherwise.
        logging_config=LoggingConfig(
            root={"level": "WARNING", "handlers": ["queue_listener"]},
            log_exceptions="always",
            disable_stack_trace=set(QUIET),
            exception_logging_handler=log_uncaught,
        ),
        state=State({"context": context, "auth": auth}),
        debug=False,
    )


__all__ = ["ROUTE_HANDLERS", "create_app"]
