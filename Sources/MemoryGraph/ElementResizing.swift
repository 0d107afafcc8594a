/// Re-sizing a graph's floating-point tensors, for accelerators whose data
/// type differs from the exported model's (COSMA evaluates with 8-bit data:
/// `--dtype-bytes 1`).
extension Graph {
    /// The same graph with every floating-point tensor of known shape sized
    /// at `bytes` per element; other tensors keep their size. O(tensors).
    public func resizingFloatingPoint(toBytes bytes: Int) throws(GraphError) -> Graph {
        var resized = tensors
        for (i, tensor) in tensors.enumerated() {
            guard let type = tensor.elementType, type.isFloatingPoint,
                  let dimensions = tensor.shape?.fixedDimensions else { continue }
            var count = 1
            for d in dimensions {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, d >= 0 else { throw GraphError.badSize(tensor: tensor.name, reason: "element count overflows") }
                count = product
            }
            let (size, overflow) = count.multipliedReportingOverflow(by: bytes)
            guard !overflow else { throw GraphError.badSize(tensor: tensor.name, reason: "byte count overflows") }
            resized[i].bytes = size
        }
        return try Graph(name: name, tensors: resized, operators: operators, outputs: outputs)
    }
}
