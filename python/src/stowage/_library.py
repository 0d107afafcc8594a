"""Finding libstowage, loading it, and calling its JSON-in, JSON-out functions.

The library is looked for, in order:

1. ``STOWAGE_LIB``: the path of a libstowage (or a build folder's
   libStowageC.so);
2. the copy bundled in the wheel (``stowage/_lib``), with the solver
   libraries it needs loaded first from the same folder;
3. ``libstowage.so.<major>`` on the system's library path (``make install``
   into /usr/local, say).
"""
from __future__ import annotations

import ctypes
import json
import os
import threading
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from .errors import LibraryNotFound, Unavailable, error_for_status

#: The major version this package speaks (the library's SONAME).
MAJOR = 0

_BUNDLED = Path(__file__).resolve().parent / "_lib"

_lock = threading.Lock()
_loaded: Optional["Library"] = None


class Library:
    """A loaded libstowage.

    Every planner of the C API has the same shape, ``int f(const char *input,
    const char *options_json, char **result_json, char **error)``; they are
    bound by name when the loaded library has them, so a planner added to
    the C API needs one name in :attr:`JSON_FUNCTIONS` here and one function
    in ``stowage/api.py``.
    """

    JSON_FUNCTIONS = (
        "stowage_plan",
        "stowage_plan_file",
        "stowage_allocate",
        "stowage_schedule",
        "stowage_remat",
        "stowage_offload",
    )

    def __init__(self, path: Path, preloaded: Optional[List[ctypes.CDLL]] = None) -> None:
        self.path = path
        # Kept so that the dependencies stay loaded as long as the library.
        self._preloaded = preloaded or []
        self._cdll = ctypes.CDLL(str(path))
        self._cdll.stowage_version.restype = ctypes.c_char_p
        self._cdll.stowage_version.argtypes = []
        self._cdll.stowage_free.restype = None
        self._cdll.stowage_free.argtypes = [ctypes.c_void_p]
        out = ctypes.POINTER(ctypes.c_void_p)  # char **, read as raw pointers so they can be freed
        self._functions: Dict[str, Any] = {}
        for name in self.JSON_FUNCTIONS:
            function = getattr(self._cdll, name, None)
            if function is None:
                continue
            function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, out, out]
            function.restype = ctypes.c_int
            self._functions[name] = function

    @property
    def version(self) -> str:
        return self._cdll.stowage_version().decode()

    def has(self, name: str) -> bool:
        """Whether the loaded library has the C function `name`."""
        return name in self._functions

    def call(self, name: str, first: str, options: Optional[Mapping[str, Any]]) -> str:
        """Calls `name(first, json(options))` and returns the JSON text it
        hands back; a failure becomes the exception of its status."""
        function = self._functions.get(name)
        if function is None:
            raise Unavailable(f"{name} is not in the loaded libstowage {self.version} ({self.path}); "
                              "a newer Stowage has it")
        result, error = ctypes.c_void_p(), ctypes.c_void_p()
        encoded = None if options is None else json.dumps(dict(options)).encode()
        status = function(first.encode(), encoded, ctypes.byref(result), ctypes.byref(error))
        try:
            if status != 0:
                message = ctypes.string_at(error.value).decode(errors="replace") if error.value else "(no message)"
                raise error_for_status(status, message)
            if not result.value:
                raise error_for_status(3, f"{name} returned success without a result")
            return ctypes.string_at(result.value).decode()
        finally:
            # Both belong to the caller; stowage_free(NULL) is fine.
            self._cdll.stowage_free(result)
            self._cdll.stowage_free(error)


def _load_bundled() -> Optional[Library]:
    manifest_path = _BUNDLED / "manifest.json"
    if not manifest_path.is_file():
        return None
    manifest = json.loads(manifest_path.read_text())
    # Loaded by path first, so that libstowage's dependencies resolve to
    # these copies (a loaded library is matched by its SONAME) whatever the
    # system has or lacks.
    preloaded = [ctypes.CDLL(str(_BUNDLED / name)) for name in manifest["preload"]]
    return Library(_BUNDLED / manifest["library"], preloaded)


def load() -> Library:
    """The library, loaded on first use (thread-safe)."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        tried = []
        explicit = os.environ.get("STOWAGE_LIB")
        if explicit:
            if not Path(explicit).is_file():
                raise LibraryNotFound(f"STOWAGE_LIB={explicit}: no such file")
            _loaded = Library(Path(explicit))
            return _loaded
        try:
            bundled = _load_bundled()
        except OSError as error:
            raise LibraryNotFound(f"the bundled libstowage in {_BUNDLED} does not load: {error}") from error
        if bundled is not None:
            _loaded = bundled
            return _loaded
        tried.append(str(_BUNDLED))
        system = f"libstowage.so.{MAJOR}"
        try:
            _loaded = Library(Path(system))
            return _loaded
        except OSError as error:
            tried.append(f"{system} ({error})")
        raise LibraryNotFound("libstowage not found: tried " + "; ".join(tried)
                              + ". Install the package with `pip install ./python` from the Stowage repository, "
                              "or set STOWAGE_LIB to the library's path")
