"""cnnkit's public API: every name in ``cnnkit.__all__`` resolves, and every loop twin is exported.

The grader relies on ``cnnkit.__all__`` (an exercise named like a public op is guarded
so that calling cnnkit earns nothing) and ``checking.forbid`` finds an op's
``<name>_loops`` twin in the op's own module.
"""

import importlib
import inspect
import subprocess
import sys

import pytest

import cnnkit

#: The op modules whose ``__all__`` make up ``cnnkit.__all__``.
OP_MODULES = list(cnnkit._OP_MODULES)


@pytest.mark.parametrize("name", cnnkit.__all__)
def test_every_public_name_resolves_to_a_function(name):
    """``cnnkit.<name>`` exists, is a function, and is the one its module defines."""
    function = getattr(cnnkit, name, None)
    assert callable(function), f"cnnkit.__all__ lists {name!r} but cnnkit.{name} is {function!r}"
    home = importlib.import_module(function.__module__)
    assert getattr(home, name) is function and name in home.__all__, function.__module__


def test_all_is_the_union_of_the_op_modules():
    """No public name is listed twice or missing from the modules' own ``__all__``."""
    listed = [name for module in OP_MODULES for name in module.__all__]
    assert len(listed) == len(set(listed)), "a name is public in two modules"
    assert sorted(listed) == list(cnnkit.__all__)


def test_every_public_module_that_import_cnnkit_loads_is_an_op_module():
    """A module added to cnnkit/__init__.py's imports also adds its ``__all__`` to cnnkit's."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, cnnkit; print(*sorted(m for m in sys.modules "
                               "if m.startswith('cnnkit.')))"],
        capture_output=True, text=True, check=True).stdout.split()
    public = {name for name in loaded if not name.split(".")[1].startswith("_")}
    assert public == {module.__name__ for module in OP_MODULES}


def test_every_loop_version_is_exported_beside_its_fast_op():
    """Each ``<op>_loops`` of an op module is public, and ``<op>`` is public in the same module."""
    loops = [(module, name) for module in OP_MODULES
             for name, member in inspect.getmembers(module, inspect.isfunction)
             if name.endswith("_loops") and not name.startswith("_")
             and member.__module__ == module.__name__]
    assert len(loops) >= 12, loops
    for module, name in loops:
        fast = name.removesuffix("_loops")
        assert name in cnnkit.__all__, f"{module.__name__}.{name} is not exported from cnnkit"
        assert fast in module.__all__, f"{name} has no fast twin {fast} in {module.__name__}"


def test_forbid_reaches_the_loop_twin():
    """Forbidding a public op forbids its loop version, which the grader relies on."""
    import numpy as np

    from cnnkit.checking import ForbiddenCall, forbid

    with forbid("conv2d"), pytest.raises(ForbiddenCall):
        cnnkit.conv2d_loops(np.ones((1, 1, 2, 2)), np.ones((1, 1, 1, 1)))
