"""Builds the wheel of the `stowage` package: the Python code, libstowage,
and the shared libraries libstowage needs that are not on every Linux
system (GLPK, CBC and what they link: found with ldd), so that the wheel
works on a machine with nothing else installed.

Where libstowage comes from:
- STOWAGE_PREFIX=/some/prefix: a copy installed there by `make install`;
- otherwise this package sits in the Stowage repository (python/), and
  `make install` is run into a folder of the build (a release build of the
  C library with the Swift runtime linked in: minutes the first time, then
  incremental in the repository's .build-install).
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# Libraries every glibc Linux has (the manylinux policy's core): not bundled.
SYSTEM_LIBRARIES = re.compile(
    r"^(linux-vdso|linux-gate|ld-linux|libc|libm|libdl|librt|libpthread|libutil|libresolv|libstdc\+\+|libgcc_s)\.so")


def version():
    """Planner.version, the one place the version is written."""
    swift = REPO / "Sources" / "StowageKit" / "Version.swift"
    if swift.is_file():
        match = re.search(r'static let version = "([0-9]+\.[0-9]+\.[0-9]+)"', swift.read_text())
        if match:
            return match.group(1)
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.is_file():
        match = re.search(r"^Version: (.+)$", pkg_info.read_text(), re.MULTILINE)
        if match:
            return match.group(1).strip()
    raise SystemExit("stowage: cannot find the version (Sources/StowageKit/Version.swift); "
                     "build from the Stowage repository's python/ folder")


def installed_prefix(scratch):
    given = os.environ.get("STOWAGE_PREFIX")
    if given:
        prefix = Path(given).resolve()
        if not (prefix / "lib").is_dir():
            raise SystemExit(f"stowage: STOWAGE_PREFIX={given} has no lib/ folder (run `make install PREFIX={given}`)")
        return prefix
    if not (REPO / "Package.swift").is_file() or not (REPO / "Makefile").is_file():
        raise SystemExit("stowage: the C library is built from the Stowage repository: run pip on its python/ "
                         "folder, or set STOWAGE_PREFIX to a prefix where `make install` put libstowage")
    prefix = Path(scratch).resolve() / "stowage-prefix"
    shutil.rmtree(prefix, ignore_errors=True)
    print(f"stowage: building libstowage (make install PREFIX={prefix})", flush=True)
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "install", f"PREFIX={prefix}"], check=True)
    return prefix


def needed(library):
    """The DT_NEEDED entries of a shared library."""
    out = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def closure(library):
    """{soname: path} of every library ldd resolves for `library`, but the system's."""
    out = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>":
            name, path = parts[0], parts[2]
            if path == "not":
                raise SystemExit(f"stowage: {library} needs {name}, which is not installed (run `make deps`)")
            if not SYSTEM_LIBRARIES.match(name):
                found[name] = Path(path)
    return found


def load_order(libraries):
    """The bundled sonames, each after the bundled libraries it needs."""
    order, done = [], set()

    def visit(name, path, trail):
        if name in done:
            return
        if name in trail:
            raise SystemExit(f"stowage: a cycle of shared libraries through {name}")
        for dependency in needed(path):
            if dependency in libraries:
                visit(dependency, libraries[dependency], trail | {name})
        done.add(name)
        order.append(name)

    for name, path in sorted(libraries.items()):
        visit(name, path, frozenset())
    return order


class BuildWithLibrary(build_py):
    """build_py, then libstowage and its closure into stowage/_lib."""

    def run(self):
        super().run()
        scratch = Path(self.build_lib).parent / "stowage-native"
        scratch.mkdir(parents=True, exist_ok=True)
        prefix = installed_prefix(scratch)
        major = version().split(".")[0]
        soname = f"libstowage.so.{major}"
        library = prefix / "lib" / soname
        if not library.exists():
            raise SystemExit(f"stowage: {library} is missing (run `make install PREFIX={prefix}`)")
        target = Path(self.build_lib) / "stowage" / "_lib"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        bundled = {soname: library.resolve()}
        bundled.update(closure(library))
        for name, path in bundled.items():
            shutil.copyfile(path.resolve(), target / name)
            os.chmod(target / name, 0o755)
        dependencies = {name: target / name for name in bundled if name != soname}
        manifest = {"library": soname, "version": version(), "preload": load_order(dependencies)}
        (target / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        total = sum((target / name).stat().st_size for name in bundled)
        print(f"stowage: bundled {len(bundled)} libraries, {total / 1e6:.1f} MB, in stowage/_lib", flush=True)


class PlatformWheel(bdist_wheel):
    """The wheel holds native libraries (so it is for one platform) but no
    Python extension (so it is for any Python 3)."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(version=version(), cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
