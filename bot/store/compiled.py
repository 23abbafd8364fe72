"""SQLAlchemy statements compiled once for one dialect, to be run on the driver's own connection.

SQLAlchemy's execution layer (execution context, parameter and result processing, events)
costs about 60 microseconds a statement; a SQLite statement of a turn takes 10 to 20. On the
hot path of a turn that overhead was most of our own work, so the turn statements are built
with SQLAlchemy as everywhere else, compiled here once, and then run directly: the SQL text,
the driver's parameter order, and SQLAlchemy's own bind and result processors (public
`TypeEngine.dialect_impl(...).bind_processor/result_processor`), so values are stored and read
exactly as the rest of the store stores and reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement
from sqlalchemy.sql.selectable import Select

Processor = Callable[[Any], Any]
_NO_VALUE = object()


class NotCompilable(ValueError):
    """The statement needs SQLAlchemy's execution layer (defaults computed at execution)."""


@dataclass(frozen=True)
class CompiledStatement:
    sql: str
    names: tuple[str, ...]
    """Bound parameter names in the order the driver takes them (qmark or $n)."""
    fixed: tuple[Any, ...]
    """Per position: the value bound in the statement itself, or _NO_VALUE to take one."""
    binds: tuple[Processor | None, ...]
    results: tuple[Processor | None, ...]
    """Per selected or returned column: how SQLAlchemy would turn the driver's value."""

    def args(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for name, fixed, process in zip(self.names, self.fixed, self.binds, strict=True):
            # A value given wins over one bound in the statement, as in SQLAlchemy.
            value = values[name] if fixed is _NO_VALUE or name in values else fixed
            out.append(value if process is None or value is None else process(value))
        return tuple(out)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(raw, self.results, strict=True)
        )


def compile_statement(
    statement: Executable, dialect: Dialect, *, column_keys: Sequence[str] | None = None
) -> CompiledStatement:
    element = cast(ClauseElement, statement)
    compiled = element.compile(dialect=dialect, column_keys=list(column_keys or ()) or None)
    assert isinstance(compiled, SQLCompiler)
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise NotCompilable("column defaults are computed at execution: use SQLAlchemy")
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise NotCompilable("expanding (IN) parameters are rendered at execution: use SQLAlchemy")
    if any(bind.callable is not None for bind in compiled.binds.values()):
        raise NotCompilable("a parameter's value is computed at execution: use SQLAlchemy")
    names = tuple(compiled.positiontup or ())
    binds: list[BindParameter[Any]] = [compiled.binds[name] for name in names]
    return CompiledStatement(
        sql=compiled.string,
        names=names,
        fixed=tuple(_fixed_value(bind) for bind in binds),
        binds=tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds),
        results=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in _returned_columns(statement)
        ),
    )


def _fixed_value(bind: BindParameter[Any]) -> Any:
    # A bindparam("b_...") carries no value: the caller gives it. A literal in the statement
    # (`kind == "nudge"`) is a bind parameter with its value already set.
    if bind.callable is not None or bind.value is None or bind.required:
        return _NO_VALUE
    return bind.value


def _returned_columns(statement: Executable) -> Sequence[Any]:
    if isinstance(statement, Select):
        return list(statement.selected_columns)
    returning = getattr(statement, "_returning", ())
    return list(returning)
