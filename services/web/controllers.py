"""The pages, one router: sign-in, the province's and the city's pages (with its annual cycle), a street's tabs,
forms and imports, the password, accounts and rules pages.

Each handler is as thin as an API controller: check the right, call the domain services inside the
request's transaction under row-level security, render.
"""

from __future__ import annotations

from typing import Final

from litestar import Router

from services.web.accounts import AccountPages
from services.web.audit import AuditPages
from services.web.baseline import BaselinePages
from services.web.case_pages import CityCasePages, ProvinceCasePages
from services.web.cases import PublicCasePages
from services.web.caseworker import CaseworkerPages
from services.web.city import CityPages, ProvincePages
from services.web.cycle import CyclePages
from services.web.errors import PAGE_ERRORS
from services.web.fields import FieldPages
from services.web.form_pages import FieldChecks, StreetDataForms, StreetForms
from services.web.imports import ImportPages
from services.web.ledger_pages import LedgerPages
from services.web.password import PasswordPages
from services.web.province import ProvinceDashboard
from services.web.rules import RulePages
from services.web.selection import SelectionPages
from services.web.signin import SignInPages
from services.web.street import StreetPages
from services.web.workload import WorkloadPages

WEB_ROUTES: Final = Router(
    path="/",
    route_handlers=[
        SignInPages,
        ProvincePages,
        ProvinceDashboard,
        SelectionPages,
        BaselinePages,
        CityPages,
        CyclePages,
        StreetPages,
        StreetForms,
        StreetDataForms,
        FieldChecks,
        PasswordPages,
        AccountPages,
        ImportPages,
        RulePages,
        CaseworkerPages,
        LedgerPages,
        FieldPages,
        WorkloadPages,
        AuditPages,
        PublicCasePages,
        CityCasePages,
        ProvinceCasePages,
    ],
    exception_handlers=PAGE_ERRORS,
    include_in_schema=False,
)
"""The pages, added to the app beside the API's controllers; a refusal answers as a page."""
