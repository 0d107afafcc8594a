# Stowage: the commands of the README.
#   make demo      build `stowage` and plan a bundled model (ResNet-50) through a scratchpad
#   make test      run the whole test suite: Swift, the installed C library (C, C++), Python
#   make install   install the C library: PREFIX=/usr/local, DESTDIR for staging (Linux)
# All install missing system packages (GLPK, CBC, pkg-config; for tests
# also cmake, a C++ compiler, binutils, python3-venv) first.

SWIFT ?= swift
PYTHON ?= python3
RELEASE_BIN = .build/release/stowage

# The version, from the one place it is written (Planner.version).
VERSION := $(shell sed -n 's/.*static let version = "\([0-9.]*\)".*/\1/p' Sources/StowageKit/Version.swift)
MAJOR := $(word 1,$(subst ., ,$(VERSION)))
MINOR := $(word 2,$(subst ., ,$(VERSION)))

# Installation. The library is built in its own scratch folder, so the
# ordinary debug and release builds are not invalidated by its flags.
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
STRIP ?= strip
INSTALL_SCRATCH = .build-install
INSTALL_LIB = $(INSTALL_SCRATCH)/release/libStowageC.so
SONAME = libstowage.so.$(MAJOR)
# The Swift runtime and Foundation are linked statically (their archives
# live in the toolchain's swift_static folder); the version script, made
# from the functions stowage.h declares, keeps every other symbol local
# (a pattern like stowage_* would also export internal C helpers such as
# CCbcDriver's stowage_cbc_solve); the SONAME names the major version.
VERSION_SCRIPT = $(INSTALL_SCRATCH)/stowage.map
SWIFT_STATIC_DIR ?= $(shell $(SWIFT) -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p')/../swift_static/linux
INSTALL_BUILD_FLAGS = -c release --product StowageC --scratch-path $(INSTALL_SCRATCH) \
	-Xswiftc -static-stdlib -Xlinker -L$(SWIFT_STATIC_DIR) \
	-Xlinker --version-script=$(CURDIR)/$(VERSION_SCRIPT) -Xlinker -soname=$(SONAME)

# Tests: the library is installed into a fresh prefix, the Python package
# into a virtualenv; both are handed to the tests through the environment.
TEST_PREFIX = $(CURDIR)/.build-install/test-prefix
PYTHON_ENV = $(CURDIR)/.build-python/venv
TORCH_WHEELS ?= /opt/wheels

.PHONY: demo test build deps test-deps clean install install-build install-files uninstall python-env

deps:
	@sh scripts/ensure-system-packages.sh

test-deps:
	@sh scripts/ensure-system-packages.sh --for-tests

build: deps
	$(SWIFT) build -c release --product stowage

demo: build
	@mkdir -p demo
	$(RELEASE_BIN) inspect Models/onnx/resnet50.onnx --dtype-bytes 1
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_H --dtype-bytes 1 --method baseline
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_H --dtype-bytes 1 --method ilp -o demo/resnet50-plan.json
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_R --dtype-bytes 1 --method ilp --quiet
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_R --dtype-bytes 1 --method ilp --schedule free --quiet
	$(RELEASE_BIN) render demo/resnet50-plan.json -o demo/resnet50-plan.html
	@echo "wrote demo/resnet50-plan.json and demo/resnet50-plan.html"

# The Swift suite, then the Python suite. The installed-library tests of
# ExamplesTests and the Python package use the copy installed here.
test: test-deps
	rm -rf $(TEST_PREFIX)
	$(MAKE) install PREFIX=$(TEST_PREFIX)
	$(MAKE) python-env STOWAGE_PREFIX=$(TEST_PREFIX)
	STOWAGE_TEST_PREFIX=$(TEST_PREFIX) $(SWIFT) test
	$(PYTHON_ENV)/bin/python -m pytest python/tests -q -rs -p no:cacheprovider

# A virtualenv with the Python package (bundling the library installed at
# STOWAGE_PREFIX, or building it), pytest, and torch where it can be had.
python-env:
	@STOWAGE_PREFIX="$(STOWAGE_PREFIX)" sh scripts/python-test-env.sh "$(PYTHON)" "$(PYTHON_ENV)" "$(TORCH_WHEELS)"

install: install-build install-files

install-build: deps
	@[ "$$(uname -s)" = Linux ] || { echo "make install builds libstowage.so on Linux; elsewhere use 'swift build -c release --product StowageC'" >&2; exit 1; }
	@[ -d "$(SWIFT_STATIC_DIR)" ] || { echo "the toolchain has no static Swift runtime at $(SWIFT_STATIC_DIR): set SWIFT_STATIC_DIR" >&2; exit 1; }
	@mkdir -p $(INSTALL_SCRATCH)
	@{ echo "/* Written by make from include/stowage.h: its functions, and nothing else, exported. */"; \
	   echo "{ global:"; \
	   sed -n 's/^[a-z][a-z _]*[ *]\(stowage_[a-z0-9_]*\)(.*/    \1;/p' include/stowage.h; \
	   echo "  local: *; };"; } > $(VERSION_SCRIPT).new
	@grep -q "stowage_plan;" $(VERSION_SCRIPT).new || { echo "include/stowage.h: no stowage_* functions found for $(VERSION_SCRIPT)" >&2; exit 1; }
	@cmp -s $(VERSION_SCRIPT).new $(VERSION_SCRIPT) && rm $(VERSION_SCRIPT).new || mv $(VERSION_SCRIPT).new $(VERSION_SCRIPT)
	$(SWIFT) build $(INSTALL_BUILD_FLAGS)

# Copies what install-build made; the header's version macros must match.
install-files:
	@[ -f $(INSTALL_LIB) ] || { echo "$(INSTALL_LIB) is not built: run 'make install-build' (or 'make install')" >&2; exit 1; }
	@grep -q '^#define STOWAGE_VERSION_STRING "$(VERSION)"$$' include/stowage.h || { echo "include/stowage.h: STOWAGE_VERSION_STRING is not \"$(VERSION)\" (Sources/StowageKit/Version.swift)" >&2; exit 1; }
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/Stowage $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(INSTALL_LIB) $(DESTDIR)$(LIBDIR)/libstowage.so.$(VERSION)
	$(STRIP) --strip-unneeded $(DESTDIR)$(LIBDIR)/libstowage.so.$(VERSION)
	ln -sf libstowage.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libstowage.so
	install -m 644 include/stowage.h $(DESTDIR)$(INCLUDEDIR)/stowage.h
	sed -e 's/@VERSION@/$(VERSION)/g' include/stowage.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/stowage.pc
	for f in StowageConfig StowageConfigVersion; do \
		sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@MAJOR@/$(MAJOR)/g' -e 's/@MINOR@/$(MINOR)/g' \
			include/$$f.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/Stowage/$$f.cmake || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libstowage.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libstowage.so
	rm -f $(DESTDIR)$(INCLUDEDIR)/stowage.h $(DESTDIR)$(LIBDIR)/pkgconfig/stowage.pc
	rm -rf $(DESTDIR)$(LIBDIR)/cmake/Stowage

clean:
	rm -rf .build .build-install .build-python
