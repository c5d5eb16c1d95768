"""The registry of pay components: one file per component, registered once.

Every module in `sim/plans/components/` is one component, named after its
`type`, whose configuration class is decorated with `@register`. Everything that
lists components is derived from here: the `[[plans.components]]` union the
scenario schema validates against, the types `sim schema` and error messages
name, the OTE check's arithmetic, the ownership matrix's cells, the capitalized
lines, budget scaling and warm-up tails. Adding a component is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Annotated

from pydantic import Field

from sim.plans.base import ComponentConfig

REGISTRY: dict[str, type[ComponentConfig]] = {}
PACKAGE = "sim.plans.components"


def register(cls: type[ComponentConfig]) -> type[ComponentConfig]:
    """Class decorator: make `cls` the configuration of the component named by its
    `type` literal. The component's module must carry the same name."""
    (kind,) = typing.get_args(cls.model_fields["type"].annotation)
    module = cls.__module__.rsplit(".", 1)[-1]
    if module != kind:
        raise TypeError(f"component '{kind}' must live in {PACKAGE}.{kind}, not {cls.__module__}")
    if REGISTRY.get(kind, cls) is not cls:
        raise TypeError(f"component '{kind}' is registered twice")
    if not hasattr(cls, "variable_pay"):
        raise TypeError(f"component '{kind}' must declare variable_pay (may be empty)")
    REGISTRY[kind] = cls
    return cls


def _load() -> None:
    """Import every component module (each registers itself), in file-name order."""
    package = importlib.import_module(PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{PACKAGE}.{module.name}")


def component_configs() -> tuple[type[ComponentConfig], ...]:
    """Every registered component configuration, in file-name order."""
    return tuple(REGISTRY[kind] for kind in sorted(REGISTRY))


def component_types() -> tuple[str, ...]:
    return tuple(sorted(REGISTRY))


def config_union():
    """The `[[plans.components]]` table: a union of every registered configuration,
    told apart by `type`."""
    return Annotated[typing.Union[component_configs()], Field(discriminator="type")]  # noqa: UP007


_load()
