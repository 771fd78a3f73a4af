"""Plain records with ``__slots__``: the engine's value classes without ``dataclasses``.

A dataclass costs about a millisecond to define when its module is imported, and a command-line
compute imports some thirty of them before computing anything (#7, bench/cli). A record here is
defined at the cost of an ordinary class:

    class Step(Frozen):
        __slots__ = ("key", "formula", "grid", "program")
        defaults = {"grid": None, "program": None}
        uncompared = ("program",)

Its fields are the ``__slots__`` of the class and its bases, in order, given by position or by
name; ``defaults`` holds values for fields that may be left out (a class there, such as ``list``,
is called for a fresh value); ``uncompared`` fields take no part in ``==`` and ``hash``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    __slots__ = ()
    defaults: ClassVar[dict[str, Any]] = {}
    uncompared: ClassVar[tuple[str, ...]] = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        for klass in reversed(cls.__mro__):
            fields.extend(name for name in klass.__dict__.get("__slots__", ()) if not name.startswith("__"))
        cls._fields = tuple(fields)
        cls._compared = tuple(name for name in fields if name not in cls.uncompared)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes at most {len(fields)} values")
        given = dict(zip(fields, args))
        for name, value in kwargs.items():
            if name not in fields or name in given:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated {name}")
            given[name] = value
        for name in fields:
            if name in given:
                value = given[name]
            elif name in self.defaults:
                value = self.defaults[name]
                value = value() if isinstance(value, type) else value
            else:
                raise TypeError(f"{type(self).__name__} needs {name}")
            object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle: rebuilt from the fields, in order
        return self.__class__, tuple(getattr(self, name) for name in self._fields)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__name__}({shown})"

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable


class Frozen(Record):
    """A record whose fields cannot be reassigned; hashable when its compared fields are."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} cannot be changed")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} cannot be changed")

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def replace(self, **changes: Any) -> Frozen:
        """A copy with some fields changed."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return self.__class__(**values)
