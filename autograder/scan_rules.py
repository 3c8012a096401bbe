"""What the static scan (:mod:`autograder.static_scan`) flags: its tables, in one place.

Each entry says what a construct is for (the words in parentheses of a
finding). Extend a table when an honest answer needs something new; the test
``tests/autograder/test_static_scan.py`` proves that no correct answer of any
bank is flagged.
"""

from __future__ import annotations

#: Dunder names harmless to read or mention.
DUNDERS_OK = frozenset({"__init__", "__name__", "__class__", "__doc__", "__main__", "__len__", "__call__"})
#: Dunder methods an honest class may define.
DUNDER_METHODS_OK = frozenset({"__init__", "__repr__", "__str__", "__call__", "__len__", "__iter__", "__next__",
                               "__getitem__", "__enter__", "__exit__"})
#: Modules whose every use is flagged, with what they are for.
MODULES = {
    **dict.fromkeys(("builtins",), "patching"),
    **dict.fromkeys(("gc", "inspect", "ctypes", "dis", "weakref", "tracemalloc", "faulthandler", "linecache",
                     "tokenize", "code", "codeop"), "introspection"),
    **dict.fromkeys(("importlib", "runpy", "marshal", "pickle", "dill", "cloudpickle", "shelve"), "dynamic code"),
    **dict.fromkeys(("subprocess", "pty", "multiprocessing", "signal", "atexit", "resource", "posix", "nt"),
                    "other processes"),
    **dict.fromkeys(("threading", "_thread", "concurrent", "asyncio"), "threads the grader does not watch"),
    **dict.fromkeys(("socket", "ssl", "select", "selectors", "urllib", "http", "requests", "ftplib", "smtplib",
                     "webbrowser"), "network"),
    **dict.fromkeys(("pathlib", "glob", "shutil", "tempfile", "io", "_io", "fileinput", "zipfile", "tarfile",
                     "sqlite3", "dbm", "mmap", "fcntl", "codecs"), "files outside the submission"),
    **dict.fromkeys(("IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "nbgrader", "nbformat",
                     "nbconvert", "autograder"), "the grader's machinery"),
}
#: Attributes of otherwise usable modules that are allowed (everything else is flagged).
ALLOWED_ATTRIBUTES = {
    "sys": {"maxsize", "float_info", "int_info", "version_info", "version", "byteorder", "getrecursionlimit",
            "setrecursionlimit", "platform"},
    "os": {"path", "path.join", "path.basename", "path.dirname", "path.splitext", "path.normpath", "sep",
           "linesep", "cpu_count"},
    "types": {"SimpleNamespace"},
}
NUMPY_FORBIDDEN = {"ctypeslib": "introspection"}
FILE_READERS = {"open", "io.open", "codecs.open", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt",
                "numpy.fromfile", "numpy.memmap", "numpy.fromregex"}
#: Harmless parts of flagged packages.
MODULES_OK = ("IPython.display",)
NAMES = {
    **dict.fromkeys(("exec", "eval", "compile", "__import__", "__build_class__"), "dynamic code"),
    **dict.fromkeys(("globals", "locals", "vars", "breakpoint", "__builtins__", "__loader__", "__spec__"),
                    "introspection"),
    **dict.fromkeys(("get_ipython", "In", "Out", "_ih", "_oh", "_dh", "exit", "quit"), "IPython internals"),
}
#: Builtins the grader's check relies on: rebinding one at the top of a cell is patching.
CRITICAL_BUILTINS = frozenset({"exec", "eval", "compile", "print", "open", "getattr", "setattr", "delattr",
                               "hasattr", "isinstance", "issubclass", "type", "object", "super", "repr", "str",
                               "len", "sorted", "set", "list", "dict", "BaseException", "Exception"})
HARMLESS_MAGICS = frozenset({"matplotlib", "time", "timeit", "pinfo", "pinfo2", "pdoc", "pdef", "who", "whos"})
