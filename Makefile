# Stowage: the two commands of the README.
#   make demo   build the `stowage` tool and run it on a bundled model
#   make test   run the whole test suite
# Both install missing system packages (GLPK, CBC, pkg-config) first.

SWIFT ?= swift
RELEASE_BIN = .build/release/stowage

.PHONY: demo test build deps clean

deps:
	@sh scripts/ensure-system-packages.sh

build: deps
	$(SWIFT) build -c release --product stowage

demo: build
	$(RELEASE_BIN) solve Examples/mps/alloc12.mps --solver cbc
	$(RELEASE_BIN) solve Examples/mps/alloc12.mps --solver glpk --json

test: deps
	$(SWIFT) test

clean:
	rm -rf .build
