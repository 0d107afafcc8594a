import MemoryGraph

/// The shape rule of one ONNX operator applied to one node: reads the
/// node's attributes and what is known of its inputs, returns one
/// `InferredValue` per output (unknown where the rule cannot tell).
struct ONNXNodeRule {
    typealias A = ShapeArithmetic

    let node: Onnx_NodeProto
    let opset: Int
    /// Tensor index of each positional input, `nil` when absent.
    let arguments: [Int?]
    let state: ONNXShapeInference

    // MARK: inputs and attributes

    func argument(_ k: Int) -> Int? { k < arguments.count ? arguments[k] : nil }
    func type(_ k: Int) -> ValueType { argument(k).map { state.types[$0] } ?? .unknown }
    func element(_ k: Int) -> ElementType? { type(k).elementType }
    func dims(_ k: Int) -> [Dimension]? { type(k).shape?.dimensions }
    func fixed(_ k: Int) -> [Int]? { type(k).shape?.fixedDimensions }
    func ints(_ k: Int) -> [Int]? { argument(k).flatMap { state.integers[$0] } }
    func reals(_ k: Int) -> [Double]? { argument(k).flatMap { state.floats[$0] } }

    func attribute(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }
    func int(_ name: String) -> Int? { attribute(name).map { Int($0.i) } }
    func int(_ name: String, default value: Int) -> Int { int(name) ?? value }
    func intList(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int($0) } } }
    func string(_ name: String) -> String? { attribute(name).map { String(decoding: $0.s, as: UTF8.self) } }

    var outputCount: Int { node.output.count }

    func value(_ elementType: ElementType?, _ dims: [Dimension]?, integers: [Int]? = nil) -> InferredValue {
        InferredValue(ValueType(elementType, dims.map { TensorShape($0) }), integers: integers)
    }

    func fixedValue(_ elementType: ElementType?, _ dims: [Int]?, integers: [Int]? = nil) -> InferredValue {
        value(elementType, dims.map { $0.map { Dimension.fixed($0) } }, integers: integers)
    }

    /// The same output for every position.
    func all(_ value: InferredValue) -> [InferredValue] { Array(repeating: value, count: max(outputCount, 1)) }

    // MARK: dispatch

    func evaluate() -> [InferredValue] {
        let domain = node.domain
        guard domain.isEmpty || domain == "ai.onnx" else { return all(.unknown) }
        switch node.opType {
        case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal",
             "Floor", "Ceil", "Round", "Clip", "HardSwish", "HardSigmoid", "Gelu", "Elu", "Selu", "Softplus",
             "Softsign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Identity", "Softmax",
             "LogSoftmax", "Hardmax", "InstanceNormalization", "LRN", "Sign", "Mish", "Celu", "PRelu",
             "ThresholdedRelu", "CumSum", "Trilu", "Shrink", "MeanVarianceNormalization", "Not",
             "BitwiseNot", "GroupNormalization", "RMSNormalization":
            return [value(element(0), dims(0), integers: node.opType == "Identity" ? ints(0) : nil)]
        case "IsNaN", "IsInf":
            return [value(.bool, dims(0))]
        case "Dropout":
            return [value(element(0), dims(0)), value(.bool, dims(0))]
        case "BatchNormalization":
            return [value(element(0), dims(0))] + Array(repeating: .unknown, count: max(outputCount - 1, 0))
        case "LayerNormalization":
            return layerNormalization()
        case "Add", "Sub", "Mul", "Div", "Pow", "Mod", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
             "Max", "Min", "Sum", "Mean":
            return [broadcasting(resultType: element(0))]
        case "And", "Or", "Xor", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual":
            return [broadcasting(resultType: .bool)]
        case "Where":
            return [where_()]
        case "Cast":
            let to = int("to").flatMap { code -> ElementType? in
                if case .type(let t) = ONNXElementType.map(Int32(clamping: code)) { return t }
                return nil
            }
            return [value(to, dims(0), integers: to.map { $0.isFloatingPoint } == false ? ints(0) : nil)]
        case "CastLike":
            return [value(element(1), dims(0))]
        case "Shape":
            return [shape()]
        case "Size":
            return [value(.int64, [], integers: fixed(0).flatMap { A.product($0) }.map { [$0] })]
        case "Constant":
            return [constant()]
        case "ConstantOfShape":
            return [constantOfShape()]
        case "Reshape":
            return [reshape()]
        case "Flatten":
            return [flatten()]
        case "Transpose":
            return [transpose()]
        case "Squeeze":
            return [squeeze()]
        case "Unsqueeze":
            return [unsqueeze()]
        case "Concat":
            return [concat()]
        case "Split":
            return split()
        case "Slice":
            return [slice()]
        case "Gather":
            return [gather()]
        case "GatherElements":
            return [value(element(0), dims(1))]
        case "GatherND":
            return [gatherND()]
        case "MatMul", "MatMulInteger":
            return [matMul(resultType: node.opType == "MatMul" ? element(0) : .int32)]
        case "Gemm":
            return [gemm()]
        case "Conv", "ConvInteger":
            return [convolution(resultType: node.opType == "Conv" ? element(0) : .int32, weights: true)]
        case "MaxPool", "AveragePool", "LpPool":
            let pooled = convolution(resultType: element(0), weights: false)
            return node.opType == "MaxPool" ? [pooled, value(.int64, pooled.type.shape?.dimensions)] : [pooled]
        case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool":
            guard let d = dims(0), d.count >= 2 else { return all(.unknown) }
            return [value(element(0), Array(d.prefix(2)) + Array(repeating: .fixed(1), count: d.count - 2))]
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
             "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare":
            return [reduce()]
        case "ArgMax", "ArgMin":
            return [argReduce()]
        case "Expand":
            guard let d = dims(0), let target = ints(1), target.allSatisfy({ $0 >= 0 }) else { return all(.unknown) }
            return [value(element(0), A.broadcast(d, target.map { .fixed($0) }))]
        case "Tile":
            guard let d = fixed(0), let repeats = ints(1), repeats.count == d.count else { return all(.unknown) }
            let result = zip(d, repeats).map { A.multiply($0, $1) }
            guard result.allSatisfy({ ($0 ?? -1) >= 0 }) else { return all(.unknown) }
            return [fixedValue(element(0), result.compactMap { $0 })]
        case "Pad":
            return [pad()]
        case "Range":
            return [range()]
        case "Resize", "Upsample":
            return [resize()]
        case "TopK":
            guard var d = dims(0), let k = ints(1)?.first, k >= 0,
                  let axis = A.axis(int("axis", default: -1), rank: d.count) else { return all(.unknown) }
            d[axis] = .fixed(k)
            return [value(element(0), d), value(.int64, d)]
        case "DepthToSpace", "SpaceToDepth":
            return [depthSpace()]
        default:
            return all(.unknown)
        }
    }

    // MARK: rules

    func broadcasting(resultType: ElementType?) -> InferredValue {
        let present = arguments.indices.filter { arguments[$0] != nil }
        guard !present.isEmpty else { return .unknown }
        var shape: [Dimension]? = dims(present[0])
        for k in present.dropFirst() {
            guard let s = shape, let d = dims(k) else { shape = nil; break }
            shape = A.broadcast(s, d)
        }
        // Integer arithmetic on small shape vectors (`Shape → Mul → Reshape`).
        var values: [Int]?
        if present.count == 2, let a = ints(present[0]), let b = ints(present[1]), let n = [a.count, b.count].max(),
           a.count == b.count || a.count == 1 || b.count == 1 {
            let x = a.count == 1 ? Array(repeating: a[0], count: n) : a
            let y = b.count == 1 ? Array(repeating: b[0], count: n) : b
            let op: ((Int, Int) -> Int?)? = switch node.opType {
            case "Add": A.add
            case "Sub": A.subtract
            case "Mul": A.multiply
            case "Div": { (p: Int, q: Int) -> Int? in q == 0 || (p == Int.min && q == -1) ? nil : p / q }
            case "Max": { Swift.max($0, $1) }
            case "Min": { Swift.min($0, $1) }
            case "Equal": { $0 == $1 ? 1 : 0 }
            case "Less": { $0 < $1 ? 1 : 0 }
            case "Greater": { $0 > $1 ? 1 : 0 }
            default: nil
            }
            if let op {
                let computed = zip(x, y).map { op($0, $1) }
                if computed.allSatisfy({ $0 != nil }) { values = computed.compactMap { $0 } }
            }
        }
        return value(resultType, shape, integers: values)
    }

    func where_() -> InferredValue {
        guard let c = dims(0), let x = dims(1), let y = dims(2),
              let xy = A.broadcast(x, y) else { return value(element(1), nil) }
        var values: [Int]?
        if let cv = ints(0), let xv = ints(1), let yv = ints(2), cv.count == xv.count, xv.count == yv.count {
            values = cv.indices.map { cv[$0] != 0 ? xv[$0] : yv[$0] }
        }
        return value(element(1), A.broadcast(c, xy), integers: values)
    }

    func layerNormalization() -> [InferredValue] {
        guard let d = dims(0) else { return all(.unknown) }
        let main = value(element(0), d)
        guard let axis = A.axis(int("axis", default: -1), rank: d.count) else { return [main] }
        let reduced = Array(d.prefix(axis)) + Array(repeating: .fixed(1), count: d.count - axis)
        let statsType = int("stash_type").flatMap { code -> ElementType? in
            if case .type(let t) = ONNXElementType.map(Int32(clamping: code)) { return t }
            return nil
        } ?? .float32
        return [main, value(statsType, reduced), value(statsType, reduced)]
    }

    func shape() -> InferredValue {
        guard let d = dims(0) else { return value(.int64, nil) }
        let rank = d.count
        func clampAxis(_ a: Int) -> Int { Swift.min(Swift.max(a < 0 ? a + rank : a, 0), rank) }
        let start = clampAxis(int("start", default: 0))
        let end = clampAxis(int("end", default: rank))
        let part = start < end ? Array(d[start ..< end]) : []
        let values = part.allSatisfy { $0.value != nil } ? part.compactMap(\.value) : nil
        return fixedValue(.int64, [part.count], integers: values)
    }

    func constant() -> InferredValue {
        if let a = attribute("value"), a.hasT {
            let t = a.t
            guard t.dims.allSatisfy({ $0 >= 0 }) else { return .unknown }
            let element: ElementType? = if case .type(let e) = ONNXElementType.map(t.dataType) { e } else { nil }
            var result = fixedValue(element, t.dims.map { Int($0) })
            result.integers = ONNXTensorValues.integers(t, limit: ONNXShapeInference.maxConstantElements)
            result.floats = ONNXTensorValues.floats(t, limit: ONNXShapeInference.maxConstantElements)
            return result
        }
        if let v = int("value_int") { return fixedValue(.int64, [], integers: [v]) }
        if let v = intList("value_ints") { return fixedValue(.int64, [v.count], integers: v) }
        if let a = attribute("value_float") { return InferredValue(ValueType(.float32, fixed: []), floats: [Double(a.f)]) }
        if let a = attribute("value_floats") {
            return InferredValue(ValueType(.float32, fixed: [a.floats.count]), floats: a.floats.map { Double($0) })
        }
        return .unknown
    }

    func constantOfShape() -> InferredValue {
        var element: ElementType? = .float32
        if let a = attribute("value"), a.hasT {
            element = if case .type(let e) = ONNXElementType.map(a.t.dataType) { e } else { nil }
        }
        guard let target = ints(0), target.allSatisfy({ $0 >= 0 }) else { return value(element, nil) }
        var result = fixedValue(element, target)
        if let n = A.product(target), n <= ONNXShapeInference.maxConstantElements,
           let a = attribute("value"), let fill = ONNXTensorValues.integers(a.t, limit: 1)?.first {
            result.integers = Array(repeating: fill, count: n)
        }
        return result
    }

    func reshape() -> InferredValue {
        guard let target = ints(1) else { return value(element(0), nil) }
        let allowZero = int("allowzero", default: 0) != 0
        let input = dims(0)
        var result: [Dimension] = []
        var inferAt: Int?
        for (i, v) in target.enumerated() {
            if v == -1 {
                guard inferAt == nil else { return value(element(0), nil) }
                inferAt = i
                result.append(.fixed(1))
            } else if v == 0 && !allowZero {
                guard let input, i < input.count else { return value(element(0), nil) }
                result.append(input[i])
            } else if v >= 0 {
                result.append(.fixed(v))
            } else {
                return value(element(0), nil)
            }
        }
        if let inferAt {
            guard let total = input?.compactMap(\.value), total.count == input?.count,
                  let count = A.product(total),
                  let known = A.product(result.compactMap(\.value)), result.allSatisfy({ $0.value != nil }),
                  known > 0, count % known == 0 else { return value(element(0), nil) }
            result[inferAt] = .fixed(count / known)
        }
        return value(element(0), result, integers: ints(0))
    }

    func flatten() -> InferredValue {
        guard let d = fixed(0) else { return value(element(0), nil) }
        let axis = int("axis", default: 1)
        let a = axis < 0 ? axis + d.count : axis
        guard (0 ... d.count).contains(a), let outer = A.product(d[..<a]), let inner = A.product(d[a...]) else {
            return value(element(0), nil)
        }
        return fixedValue(element(0), [outer, inner])
    }

    func transpose() -> InferredValue {
        guard let d = dims(0) else { return value(element(0), nil) }
        let perm = intList("perm") ?? Array((0 ..< d.count).reversed())
        guard perm.count == d.count, Set(perm) == Set(0 ..< d.count) else { return value(element(0), nil) }
        return value(element(0), perm.map { d[$0] })
    }

    /// Axes from the attribute (before opset 13) or the second input.
    func axesArgument(inputFrom version: Int) -> [Int]? {
        if opset >= version, argument(1) != nil { return ints(1) }
        return intList("axes")
    }

    func squeeze() -> InferredValue {
        guard let d = dims(0) else { return value(element(0), nil) }
        let axes: [Int]
        if let given = axesArgument(inputFrom: 13) {
            let normalized = given.compactMap { A.axis($0, rank: d.count) }
            guard normalized.count == given.count else { return value(element(0), nil) }
            axes = normalized
        } else if argument(1) != nil {
            return value(element(0), nil)  // axes computed at run time
        } else {
            guard d.allSatisfy({ $0.value != nil }) else { return value(element(0), nil) }
            axes = d.indices.filter { d[$0] == .fixed(1) }
        }
        let drop = Set(axes)
        return value(element(0), d.indices.filter { !drop.contains($0) }.map { d[$0] }, integers: ints(0))
    }

    func unsqueeze() -> InferredValue {
        guard let d = dims(0), let given = axesArgument(inputFrom: 13) else { return value(element(0), nil) }
        let rank = d.count + given.count
        let axes = Set(given.compactMap { A.axis($0, rank: rank) })
        guard axes.count == given.count else { return value(element(0), nil) }
        var result: [Dimension] = []
        var next = d.makeIterator()
        for i in 0 ..< rank {
            if axes.contains(i) { result.append(.fixed(1)) } else if let dim = next.next() { result.append(dim) }
        }
        return value(element(0), result, integers: ints(0))
    }

    func concat() -> InferredValue {
        let present = arguments.compactMap { $0 }
        guard let first = present.first, let firstDims = state.types[first].shape?.dimensions,
              let axis = A.axis(int("axis", default: 0), rank: firstDims.count) else { return value(element(0), nil) }
        var result = firstDims
        var total: Int? = firstDims[axis].value
        for t in present.dropFirst() {
            guard let d = state.types[t].shape?.dimensions, d.count == firstDims.count else { return value(element(0), nil) }
            if let sum = total, let v = d[axis].value { total = A.add(sum, v) } else { total = nil }
            for i in d.indices where i != axis && result[i].value == nil { result[i] = d[i] }
        }
        guard let total else { return value(element(0), nil) }
        result[axis] = .fixed(total)
        var values: [Int]?
        let parts = present.map { state.integers[$0] }
        if parts.allSatisfy({ $0 != nil }) { values = parts.flatMap { $0 ?? [] } }
        return value(element(0), result, integers: values)
    }

    func split() -> [InferredValue] {
        guard let d = dims(0), let axis = A.axis(int("axis", default: 0), rank: d.count) else { return all(.unknown) }
        let n = outputCount
        var sizes: [Int]?
        if opset >= 13, argument(1) != nil { sizes = ints(1) } else { sizes = intList("split") }
        if sizes == nil, let length = d[axis].value, n > 0 {
            // Equal parts; opset 18 lets the last one be smaller.
            guard let part = A.ceilDivide(length, n) else { return all(.unknown) }
            sizes = (0 ..< n).map { i in Swift.max(0, Swift.min(part, length - part * i)) }
        }
        guard let sizes, sizes.count == n, sizes.allSatisfy({ $0 >= 0 }) else { return all(.unknown) }
        return sizes.map { size in
            var part = d
            part[axis] = .fixed(size)
            return value(element(0), part)
        }
    }

    func slice() -> InferredValue {
        guard let d = dims(0) else { return value(element(0), nil) }
        let starts: [Int]?, ends: [Int]?, axesGiven: [Int]?, stepsGiven: [Int]?
        if opset >= 10 {
            starts = ints(1); ends = ints(2)
            axesGiven = argument(3) == nil ? nil : ints(3)
            stepsGiven = argument(4) == nil ? nil : ints(4)
            if (argument(3) != nil && axesGiven == nil) || (argument(4) != nil && stepsGiven == nil) {
                return value(element(0), nil)
            }
        } else {
            starts = intList("starts"); ends = intList("ends"); axesGiven = intList("axes"); stepsGiven = nil
        }
        guard let starts, let ends, starts.count == ends.count else { return value(element(0), nil) }
        let axes = axesGiven ?? Array(0 ..< starts.count)
        let steps = stepsGiven ?? Array(repeating: 1, count: starts.count)
        guard axes.count == starts.count, steps.count == starts.count else { return value(element(0), nil) }
        var result = d
        var ranges: [Int: (Int, Int, Int)] = [:]
        for i in starts.indices {
            guard let axis = A.axis(axes[i], rank: d.count), let length = d[axis].value, steps[i] != 0 else {
                return value(element(0), nil)
            }
            let (start, end, step) = (starts[i], ends[i], steps[i])
            func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(v, low), high) }
            let s0 = start < 0 ? (start < -length ? 0 : start + length) : start
            let e0 = end < 0 ? (end < -length ? -1 : end + length) : end
            let s = step > 0 ? clamp(s0, 0, length) : clamp(s0, 0, length - 1)
            let e = step > 0 ? clamp(e0, 0, length) : clamp(e0, -1, length - 1)
            let count: Int
            if step > 0 {
                count = e > s ? (A.ceilDivide(e - s, step) ?? 0) : 0
            } else {
                guard step != Int.min else { return value(element(0), nil) }
                count = s > e ? (A.ceilDivide(s - e, -step) ?? 0) : 0
            }
            result[axis] = .fixed(count)
            ranges[axis] = (s, step, count)
        }
        var values: [Int]?
        if d.count == 1, let v = ints(0), v.count == d[0].value {
            let (s, step, count) = ranges[0] ?? (0, 1, v.count)
            values = (0 ..< count).compactMap { k in
                let i = s + k * step
                return v.indices.contains(i) ? v[i] : nil
            }
            if values?.count != count { values = nil }
        }
        return value(element(0), result, integers: values)
    }

    func gather() -> InferredValue {
        guard let d = dims(0), let idx = dims(1), let axis = A.axis(int("axis", default: 0), rank: d.count) else {
            return value(element(0), nil)
        }
        let result = Array(d[..<axis]) + idx + Array(d[(axis + 1)...])
        var values: [Int]?
        if d.count == 1, let data = ints(0), let indices = ints(1) {
            let picked = indices.map { i -> Int? in
                let j = i < 0 ? i + data.count : i
                return data.indices.contains(j) ? data[j] : nil
            }
            if picked.allSatisfy({ $0 != nil }) { values = picked.compactMap { $0 } }
        }
        return value(element(0), result, integers: values)
    }

    func gatherND() -> InferredValue {
        let batch = int("batch_dims", default: 0)
        guard let d = dims(0), let idx = dims(1), let last = idx.last?.value, batch >= 0,
              let tail = A.add(batch, last), tail <= d.count else { return value(element(0), nil) }
        return value(element(0), Array(idx.dropLast()) + Array(d[tail...]))
    }

    func matMul(resultType: ElementType?) -> InferredValue {
        guard var a = dims(0), var b = dims(1), !a.isEmpty, !b.isEmpty else { return value(resultType, nil) }
        let vectorA = a.count == 1, vectorB = b.count == 1
        if vectorA { a.insert(.fixed(1), at: 0) }
        if vectorB { b.append(.fixed(1)) }
        let k1 = a[a.count - 1], k2 = b[b.count - 2]
        if let x = k1.value, let y = k2.value, x != y { return value(resultType, nil) }
        guard let batch = A.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))) else { return value(resultType, nil) }
        var result = batch
        if !vectorA { result.append(a[a.count - 2]) }
        if !vectorB { result.append(b[b.count - 1]) }
        return value(resultType, result)
    }

    func gemm() -> InferredValue {
        guard let a = dims(0), let b = dims(1), a.count == 2, b.count == 2 else { return value(element(0), nil) }
        let m = int("transA", default: 0) != 0 ? a[1] : a[0]
        let n = int("transB", default: 0) != 0 ? b[0] : b[1]
        return value(element(0), [m, n])
    }

    /// Conv and pooling: `out = floor((in + pads - dilation·(k-1) - 1) / stride) + 1`,
    /// ceiling with `ceil_mode`, `ceil(in / stride)` for SAME padding.
    func convolution(resultType: ElementType?, weights: Bool) -> InferredValue {
        guard let x = dims(0), x.count >= 3 else { return value(resultType, nil) }
        let spatial = x.count - 2
        var kernel = intList("kernel_shape")
        var channels = x[1]
        if weights {
            guard let w = dims(1), w.count == x.count else { return value(resultType, nil) }
            channels = w[0]
            if kernel == nil {
                let k = w.dropFirst(2).compactMap(\.value)
                guard k.count == spatial else { return value(resultType, nil) }
                kernel = k
            }
        }
        guard let kernel, kernel.count == spatial, kernel.allSatisfy({ $0 > 0 }) else { return value(resultType, nil) }
        let strides = intList("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = intList("dilations") ?? Array(repeating: 1, count: spatial)
        let pads = intList("pads") ?? Array(repeating: 0, count: 2 * spatial)
        let autoPad = string("auto_pad") ?? "NOTSET"
        let ceilMode = int("ceil_mode", default: 0) != 0
        guard strides.count == spatial, dilations.count == spatial, pads.count == 2 * spatial,
              strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 }) else {
            return value(resultType, nil)
        }
        var result: [Dimension] = [x[0], channels]
        for i in 0 ..< spatial {
            guard let input = x[2 + i].value else { result.append(.symbolic("?")); continue }
            let out: Int?
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                out = A.ceilDivide(input, strides[i])
            default:
                let padded = autoPad == "VALID" ? input : A.add(input, pads[i]).flatMap { A.add($0, pads[i + spatial]) }
                guard let padded, let span = A.multiply(dilations[i], kernel[i] - 1).flatMap({ A.add($0, 1) }),
                      let room = A.subtract(padded, span) else { out = nil; break }
                guard room >= 0 else { out = nil; break }
                out = (ceilMode ? A.ceilDivide(room, strides[i]) : A.floorDivide(room, strides[i])).flatMap { A.add($0, 1) }
            }
            guard let out else { return value(resultType, nil) }
            result.append(.fixed(out))
        }
        if result.contains(.symbolic("?")) { return value(resultType, nil) }
        return value(resultType, result)
    }

    func reduce() -> InferredValue {
        guard let d = dims(0) else { return value(element(0), nil) }
        let keep = int("keepdims", default: 1) != 0
        let inputAxesFrom = node.opType == "ReduceSum" ? 13 : 18
        var axes: [Int]?
        if opset >= inputAxesFrom {
            if argument(1) != nil { guard let given = ints(1) else { return value(element(0), nil) }; axes = given }
        } else {
            axes = intList("axes")
        }
        let all: [Int]
        if let axes, !axes.isEmpty {
            let normalized = axes.compactMap { A.axis($0, rank: d.count) }
            guard normalized.count == axes.count else { return value(element(0), nil) }
            all = normalized
        } else if int("noop_with_empty_axes", default: 0) != 0 {
            return value(element(0), d)
        } else {
            all = Array(d.indices)
        }
        let reduced = Set(all)
        var result: [Dimension] = []
        for i in d.indices {
            if reduced.contains(i) { if keep { result.append(.fixed(1)) } } else { result.append(d[i]) }
        }
        return value(element(0), result)
    }

    func argReduce() -> InferredValue {
        guard var d = dims(0), let axis = A.axis(int("axis", default: 0), rank: d.count) else { return value(.int64, nil) }
        if int("keepdims", default: 1) != 0 { d[axis] = .fixed(1) } else { d.remove(at: axis) }
        return value(.int64, d)
    }

    func pad() -> InferredValue {
        guard let d = fixed(0) else { return value(element(0), nil) }
        let pads: [Int]? = opset >= 11 ? ints(1) : intList("pads")
        guard let pads else { return value(element(0), nil) }
        var axes = Array(d.indices)
        if opset >= 18, argument(3) != nil {
            guard let given = ints(3) else { return value(element(0), nil) }
            let normalized = given.compactMap { A.axis($0, rank: d.count) }
            guard normalized.count == given.count else { return value(element(0), nil) }
            axes = normalized
        }
        guard pads.count == 2 * axes.count else { return value(element(0), nil) }
        var result = d
        for (k, axis) in axes.enumerated() {
            guard let grown = A.add(result[axis], pads[k]).flatMap({ A.add($0, pads[k + axes.count]) }), grown >= 0 else {
                return value(element(0), nil)
            }
            result[axis] = grown
        }
        return fixedValue(element(0), result)
    }

    func range() -> InferredValue {
        guard let start = ints(0)?.first, let limit = ints(1)?.first, let delta = ints(2)?.first, delta != 0,
              let span = A.subtract(limit, start), let n = A.ceilDivide(span, delta) else {
            return value(element(0), nil)
        }
        let count = Swift.max(n, 0)
        var values: [Int]?
        if count <= ONNXShapeInference.maxConstantElements { values = (0 ..< count).map { start + $0 * delta } }
        return fixedValue(element(0), [count], integers: values)
    }

    func resize() -> InferredValue {
        guard let d = dims(0) else { return value(element(0), nil) }
        // Resize-10 / Upsample: scales is input 1; Resize-11+: roi, scales, sizes.
        let scalesIndex = node.opType == "Upsample" || opset < 11 ? 1 : 2
        if let sizes = ints(3), argument(3) != nil {
            let axes = intList("axes") ?? Array(d.indices)
            guard sizes.count == axes.count, sizes.allSatisfy({ $0 >= 0 }) else { return value(element(0), nil) }
            var result = d
            for (k, a) in axes.enumerated() {
                guard let axis = A.axis(a, rank: d.count) else { return value(element(0), nil) }
                result[axis] = .fixed(sizes[k])
            }
            return value(element(0), result)
        }
        guard let scales = reals(scalesIndex), scales.count == d.count else { return value(element(0), nil) }
        var result: [Dimension] = []
        for (dim, scale) in zip(d, scales) {
            guard let n = dim.value else { return value(element(0), nil) }
            let scaled = (Double(n) * scale).rounded(.down)
            guard scaled.isFinite, scaled >= 0, scaled < 9.0e15 else { return value(element(0), nil) }
            result.append(.fixed(Int(scaled)))
        }
        return value(element(0), result)
    }

    func depthSpace() -> InferredValue {
        guard let d = fixed(0), d.count == 4, let b = int("blocksize"), b > 0, let b2 = A.multiply(b, b) else {
            return value(element(0), nil)
        }
        if node.opType == "DepthToSpace" {
            guard d[1] % b2 == 0, let h = A.multiply(d[2], b), let w = A.multiply(d[3], b) else { return value(element(0), nil) }
            return fixedValue(element(0), [d[0], d[1] / b2, h, w])
        }
        guard d[2] % b == 0, d[3] % b == 0, let c = A.multiply(d[1], b2) else { return value(element(0), nil) }
        return fixedValue(element(0), [d[0], c, d[2] / b, d[3] / b])
    }
}
