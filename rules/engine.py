"""The rules engine: rulesets compiled to durable_rules and run on one thread (the only durable_rules user).

How the engine's quirks are met:
- every street of a batch is one fact in one session, asserted with `assert_facts`, so every matching
  rule fires (an event would be consumed by the first);
- a criterion compiles to a single rule that matches when it *fails*, with `cap` so that one action call
  receives all of a batch's failing streets: firing cost grows with failures, not with streets × criteria;
- a catch-all rule makes every fact "handled" (an unhandled one fails the whole batch) without firing;
- a criterion with a scope (appliesTo) fails only for streets in scope: its failure rule also requires
  the street's theme, district or status to be among those allowed, and a second rule, matching the
  streets in scope, sets the criterion's bit in an in-scope mask; a scoped criterion whose bit is not
  set there is not applicable. (Matching the streets in scope rather than those outside it: most
  streets are outside a scope, and firing cost grows with matches.) The scope values are engine
  attributes of their own, always sent (a street without a value sends "", which no scope lists), and
  only those some scope of the ruleset tests;
- no data is never sent: a None fact is left out of the engine fact, so no rule can match it, and the
  verdict reads "no data" from the facts themselves;
- each batch's session is deleted after use, so the 1024 live sessions limit is never reached;
- deleting a session frees its action context, which the native engine initialises only when an action
  is dispatched: deleting a fresh session in which nothing fired frees garbage and crashes the process.
  Every batch therefore also asserts a marker fact whose rule fires a no-op action;
- an exception inside an action is swallowed into the session state by the engine: it is read back and
  raised to the caller;
- the stock host's background dispatch threads are not started, and every call runs on one thread that
  the Engine owns.
"""

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import msgspec
from durable import engine as durable

from rules.criteria import AppliesTo, Criterion, CriterionValue, Op
from rules.facts import BilingualError, FactError, StreetFacts
from rules.overlay import Ruleset, content_hash
from rules.verdict import FactMapping, Verdict, plan

T = TypeVar("T")

# The engine condition under which a criterion with that op FAILS; "!=" and "in" are written by _failure.
_FAILS_WITH: dict[Op, str] = {">=": "$lt", ">": "$lte", "<=": "$gt", "<": "$gte", "==": "$neq"}
_NEVER_ASSERTED = "no_such_fact"
_MARKER = "batch_marker"
# The engine attribute of each street value a scope may test; "" stands for "not set" (no code is empty).
_SCOPE_ATTRS = {"street_theme": "s_theme", "street_district": "s_district", "street_status": "s_status"}


class EngineError(BilingualError, RuntimeError):
    """The rules engine failed while evaluating."""


def ruleset_name(ruleset: Ruleset) -> str:
    """The durable_rules name of a ruleset version, from its criteria's hash: what is compiled depends on the
    criteria alone, so the cities and years whose criteria are the same share one compiled ruleset."""
    return f"rs_{ruleset.hash[:16]}"


def _failure(attr: str, op: Op, value: CriterionValue) -> dict[str, Any]:
    """The durable_rules condition on an engine fact under which `attr op value` does not hold."""
    if op == "!=":
        return {attr: value}  # the engine's equality test is the bare {name: value}
    if isinstance(value, tuple):  # "in": the value differs from every allowed one
        differs = [{"$neq": {attr: allowed}} for allowed in value]
        return differs[0] if len(differs) == 1 else {"$and": differs}
    return {_FAILS_WITH[op]: {attr: value}}


def _one_of(attr: str, values: tuple[str, ...]) -> dict[str, Any]:
    equal: list[dict[str, Any]] = [{attr: value} for value in values]
    return equal[0] if len(equal) == 1 else {"$or": equal}


def _none_of(attr: str, values: tuple[str, ...]) -> dict[str, Any]:
    differs: list[dict[str, Any]] = [{"$neq": {attr: value}} for value in values]
    return differs[0] if len(differs) == 1 else {"$and": differs}


def _in_scope(scope: AppliesTo) -> list[dict[str, Any]]:
    """The conditions, all to hold, under which a street is in the scope."""
    return [_one_of(_SCOPE_ATTRS[name], values) for name, values in scope.dimensions()]


def _all(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """One condition that holds when all of them do."""
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _mark_failed(failed: list[int], frames: Sequence[Any], bit: int) -> None:
    """Action body: set the criterion's bit for every street (by its index in the batch) the rule matched:
    that failed it, or (for an in-scope rule) that it applies to."""
    for frame in frames:
        failed[frame["id"]] |= bit


def _marked(_: Any) -> None:
    """Action of the marker rule: firing is all it is for (see the module docstring)."""


def _never_runs(_: Any) -> None:
    raise AssertionError("the catch-all rule waits for a fact that is never asserted")


class _QuietHost(durable.Host):  # type: ignore[misc]  # durable_rules has no type hints
    """A durable_rules host without the background dispatch threads.

    The stock host starts timer threads that take up any session's pending actions; a batch's actions
    would then run away from the call that waits for them. Every action here runs inside `assert_facts`
    on the engine thread, and no timers are used.
    """

    def _run(self) -> None:
        return


class _Compiled:
    """A ruleset version registered with the host, and the per-batch scratch its actions write to."""

    def __init__(
        self, name: str, ruleset_hash: str, attrs: tuple[tuple[str, str], ...], criteria: tuple[Criterion, ...]
    ) -> None:
        self.name = name
        self.hash = ruleset_hash
        self.criteria = criteria  # what was compiled: a ruleset claiming the same hash must have these
        self.attrs = attrs  # (fact name, engine attribute) for each fact the criteria name
        self.failed: list[int] = []
        self.inside: list[int] = []  # the in-scope mask of each street of the batch (scoped criteria only)
        self.scoped_bits = 0  # the bits of the criteria with a scope
        self.scope_attrs: dict[str, str] = {}  # (street value, engine attribute) of each value a scope tests
        self.opened = 0  # sessions opened so far; a session's id is its number


class Engine:
    """Evaluates streets with durable_rules on a thread of its own: async for callers, sync on that thread."""

    def __init__(self, batch_size: int = 1000) -> None:
        self._batch_size = batch_size
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="rules-engine", initializer=self._start_thread
        )
        self._thread_id: int | None = None
        self._host: Any = None
        self._compiled: dict[str, _Compiled] = {}

    def _start_thread(self) -> None:
        self._thread_id = threading.get_ident()
        self._host = _QuietHost()

    def close(self) -> None:
        """Stop the engine thread once the calls already submitted are done."""
        self._executor.shutdown(wait=True)

    def _on_engine_thread(self, call: Callable[..., T], *args: Any) -> T:
        if threading.get_ident() == self._thread_id:
            return call(*args)
        return self._executor.submit(call, *args).result()

    def _batches(self, streets: Sequence[StreetFacts]) -> list[Sequence[StreetFacts]]:
        return [streets[i : i + self._batch_size] for i in range(0, len(streets), self._batch_size)]

    async def evaluate(self, ruleset: Ruleset, street: StreetFacts) -> Verdict:
        """The verdict on one street."""
        return (await self.evaluate_many(ruleset, [street]))[0]

    async def evaluate_many(self, ruleset: Ruleset, streets: Sequence[StreetFacts]) -> list[Verdict]:
        """The verdicts on many streets, in order, a batch of streets per engine call."""
        loop = asyncio.get_running_loop()
        verdicts: list[Verdict] = []
        for batch in self._batches(streets):
            # One executor job per batch, so that other callers' work interleaves with a long run.
            verdicts += await loop.run_in_executor(self._executor, self._evaluate_batch, ruleset, batch)
        return verdicts

    def evaluate_sync(self, ruleset: Ruleset, street: StreetFacts) -> Verdict:
        """The verdict on one street: runs at once on the engine thread, else waits for that thread."""
        return self.evaluate_many_sync(ruleset, [street])[0]

    def evaluate_many_sync(self, ruleset: Ruleset, streets: Sequence[StreetFacts]) -> list[Verdict]:
        """The verdicts on many streets; see evaluate_sync for the thread it runs on."""
        verdicts: list[Verdict] = []
        for batch in self._batches(streets):
            verdicts += self._on_engine_thread(self._evaluate_batch, ruleset, batch)
        return verdicts

    def live_sessions(self, ruleset: Ruleset) -> list[str]:
        """The ids of this ruleset's sessions the engine still holds: none, unless an evaluation broke off."""
        return self._on_engine_thread(self._live_sessions, ruleset)

    def _live_sessions(self, ruleset: Ruleset) -> list[str]:
        compiled = self._compile(ruleset)
        alive = []
        for sid in map(str, range(compiled.opened)):
            try:
                self._host.get_state(compiled.name, sid)
            except Exception:  # noqa: S112  # the native module's `error`: no session with that id (code 309)
                continue
            alive.append(sid)
        return alive

    def _compile(self, ruleset: Ruleset) -> _Compiled:
        name = ruleset_name(ruleset)
        compiled = self._compiled.get(name)
        if compiled is not None:
            if compiled.hash != ruleset.hash:
                raise EngineError(f"规则集名称 {name} 已被占用", f"{name} is taken by another version")
            if compiled.criteria is not ruleset.criteria and compiled.criteria != ruleset.criteria:
                raise EngineError(f"规则集 {name} 的哈希不符", f"the hash of {name} does not match its criteria")
            return compiled
        if content_hash(ruleset.criteria) != ruleset.hash:
            raise EngineError(f"规则集 {name} 的哈希不符", f"the hash of {name} does not match its criteria")
        facts = dict.fromkeys(c.fact for c in ruleset.criteria)
        # Engine attribute names are positional, so any custom field key is safe inside the engine.
        attrs = tuple((fact, f"f{n}") for n, fact in enumerate(facts))
        compiled = _Compiled(name, ruleset.hash, attrs, ruleset.criteria)
        attr_of = dict(attrs)
        rules: dict[str, dict[str, Any]] = {
            # Every fact passes the first condition, so none is "unhandled"; the second never matches.
            "street": {
                "all": [{"m": {"$ex": {"id": 1}}}, {"never": {"$ex": {_NEVER_ASSERTED: 1}}}],
                "run": _never_runs,
            },
            "marker": {"all": [{"m": {"$ex": {_MARKER: 1}}}], "run": _marked},
        }
        for check in plan(ruleset).checks:
            criterion = check.criterion
            fails = _failure(attr_of[criterion.fact], criterion.op, criterion.value)
            scope = criterion.applies_to
            if scope is not None:
                compiled.scope_attrs.update((name, _SCOPE_ATTRS[name]) for name, _ in scope.dimensions())
                fails = {"$and": [fails, *_in_scope(scope)]}
                compiled.scoped_bits |= check.bit
                rules[f"s_{criterion.id}"] = {
                    "all": [{"m": _all(_in_scope(scope))}],
                    "cap": self._batch_size,
                    "run": self._action(compiled, check.bit, inside=True),
                }
            rules[f"c_{criterion.id}"] = {
                "all": [{"m": fails}],
                "cap": self._batch_size,
                "run": self._action(compiled, check.bit),
            }
        self._host.register_rulesets({name: rules})
        self._compiled[name] = compiled
        return compiled

    @staticmethod
    def _action(compiled: _Compiled, bit: int, *, inside: bool = False) -> Callable[[Any], None]:
        if inside:
            return lambda c: _mark_failed(compiled.inside, c.m, bit)
        return lambda c: _mark_failed(compiled.failed, c.m, bit)

    def _evaluate_batch(self, ruleset: Ruleset, streets: Sequence[StreetFacts]) -> list[Verdict]:
        compiled = self._compile(ruleset)
        p = plan(ruleset)
        facts = [p.facts_of(street) for street in streets]
        failed, outside = self._failures(compiled, facts)
        return [
            p.verdict(f, mask, out, street.unverified_claims)
            for street, f, mask, out in zip(streets, facts, failed, outside, strict=True)
        ]

    def _failures(self, compiled: _Compiled, facts: list[FactMapping]) -> tuple[list[int], list[int]]:
        """Each street's failure and not-applicable masks, from one engine session holding the whole batch."""
        sid = str(compiled.opened)
        compiled.opened += 1
        payload = []
        for index, street in enumerate(facts):
            # No data is left out: no rule can match a missing attribute.
            fact: dict[str, Any] = {
                attr: value for name, attr in compiled.attrs if (value := street.get(name)) is not None
            }
            for name, attr in compiled.scope_attrs.items():
                fact[attr] = street.get(name) or ""
            fact["sid"], fact["id"] = sid, index
            payload.append(fact)
        # Names no criterion's attribute, so only the marker rule (and the catch-all's first condition) matches.
        payload.append({"sid": sid, "id": -1, _MARKER: 1})
        compiled.failed = [0] * len(facts)
        compiled.inside = [0] * len(facts)
        try:
            state = self._host.assert_facts(compiled.name, payload)
        except Exception as exc:
            # The session is left with pending actions, and deleting such a session crashes the native
            # engine: it stays, counted by live_sessions.
            raise EngineError(f"规则引擎评价失败：{exc}", f"the rules engine failed: {exc}") from exc
        self._host.delete_state(compiled.name, sid)
        # The host answers the session state after the batch's actions (the marker's at least).
        if state is not None and "exception" in state:
            error = state["exception"]
            raise EngineError(f"规则引擎动作出错：{error}", f"an action failed in the rules engine: {error}")
        return compiled.failed, [compiled.scoped_bits & ~inside for inside in compiled.inside]


class IsolatedVerdicts(msgspec.Struct, frozen=True, kw_only=True):
    """What `evaluate_isolated` answers across a process boundary (the errors themselves do not pickle)."""

    verdicts: list[list[Verdict]] = msgspec.field(default_factory=list)
    fact: str | None = None
    """Set when a street's fact did not fit: the FactError's fact."""
    error_zh: str = ""
    error_en: str = ""

    def unwrap(self) -> list[list[Verdict]]:
        """The verdicts for each ruleset, or the FactError or EngineError met in the worker."""
        if self.fact is not None:
            raise FactError(self.fact, self.error_zh, self.error_en)
        if self.error_zh:
            raise EngineError(self.error_zh, self.error_en)
        return self.verdicts


_ISOLATED_ENGINE: list[Engine] = []
"""The engine of a worker process, made on its first job."""


def evaluate_isolated(rulesets: Sequence[Ruleset], streets: Sequence[StreetFacts]) -> IsolatedVerdicts:
    """The verdicts on the streets under each ruleset, computed in a worker process (infra.workers).

    For rulesets a caller supplies: the native engine may take unbounded time on them, or fail while
    registering (error 108) or asserting (error 303) them; the worker can be killed, the API's process not.
    After a failure the worker's engine is dropped, so no half-run session is reused.
    """
    if not _ISOLATED_ENGINE:
        _ISOLATED_ENGINE.append(Engine())
    engine = _ISOLATED_ENGINE[0]
    try:
        return IsolatedVerdicts(verdicts=[engine.evaluate_many_sync(ruleset, streets) for ruleset in rulesets])
    except FactError as exc:
        return IsolatedVerdicts(fact=exc.fact, error_zh=exc.message_zh, error_en=exc.message_en)
    except Exception as exc:  # EngineError, or the native module's own error while registering the ruleset
        _ISOLATED_ENGINE.clear()
        engine.close()
        if isinstance(exc, EngineError):
            return IsolatedVerdicts(error_zh=exc.message_zh, error_en=exc.message_en)
        return IsolatedVerdicts(
            error_zh=f"规则引擎无法编译该规则集：{exc}", error_en=f"the rules engine cannot compile it: {exc}"
        )
