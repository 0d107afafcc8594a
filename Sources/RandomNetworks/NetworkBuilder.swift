import MemoryGraph

/// Collects the tensors and operators of a generated network by name.
/// Activations are 8-bit (`int8`) NCHW tensors with batch 1, so their size
/// in bytes is channels × height × width and `--dtype-bytes` leaves it be.
struct NetworkBuilder {
    let name: String
    private(set) var tensors: [Tensor] = []
    private(set) var operators: [Operator] = []
    private var outputs: [Int] = []

    init(name: String) { self.name = name }

    /// A graph input of `channels × side × side` bytes.
    mutating func input(_ name: String, channels: Int, side: Int) -> Int {
        tensors.append(Self.tensor(name, kind: .input, channels: channels, side: side))
        return tensors.count - 1
    }

    /// An operator reading `inputs` and writing one new activation.
    mutating func op(_ name: String, type: String, inputs: [Int], channels: Int, side: Int) -> Int {
        tensors.append(Self.tensor(name, kind: .activation, channels: channels, side: side))
        let output = tensors.count - 1
        operators.append(Operator(name: name, type: type, inputs: inputs, outputs: [output]))
        return output
    }

    mutating func markOutput(_ tensor: Int) { outputs.append(tensor) }

    /// The validated graph. Generated names are distinct and every operator
    /// reads only tensors made before it, so validation cannot fail.
    func build() -> Graph {
        do {
            return try Graph(name: name, tensors: tensors, operators: operators, outputs: outputs)
        } catch {
            preconditionFailure("a generated network is invalid: \(error)")
        }
    }

    private static func tensor(_ name: String, kind: TensorKind, channels: Int, side: Int) -> Tensor {
        Tensor(name: name, kind: kind, bytes: channels * side * side, elementType: .int8,
               shape: TensorShape(fixed: [1, channels, side, side]))
    }
}
