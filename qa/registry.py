"""Name -> factory tables that built-ins and a deployment's own code fill alike."""

from __future__ import annotations

from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


def registrar(table: dict[str, F]) -> Callable[[str], Callable[[F], F]]:
    """A decorator factory: ``@register("name")`` puts the factory in ``table``."""

    def register(name: str) -> Callable[[F], F]:
        def deco(factory: F) -> F:
            table[name] = factory
            return factory

        return deco

    return register
