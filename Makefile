# Stowage: the two commands of the README.
#   make demo   build `stowage` and plan a bundled model (ResNet-50) through a scratchpad
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
	@mkdir -p demo
	$(RELEASE_BIN) inspect Models/onnx/resnet50.onnx --dtype-bytes 1
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_H --dtype-bytes 1 --method baseline
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_H --dtype-bytes 1 --method ilp -o demo/resnet50-plan.json
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_R --dtype-bytes 1 --method ilp --quiet
	$(RELEASE_BIN) plan Models/onnx/resnet50.onnx --scratchpad M_R --dtype-bytes 1 --method ilp --schedule free --quiet
	$(RELEASE_BIN) render demo/resnet50-plan.json -o demo/resnet50-plan.html
	@echo "wrote demo/resnet50-plan.json and demo/resnet50-plan.html"

test: deps
	$(SWIFT) test

clean:
	rm -rf .build
