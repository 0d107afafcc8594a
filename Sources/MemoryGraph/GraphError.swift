/// Why a graph, a schedule or a size is invalid. Messages name the tensor
/// or operator at fault; importers add the file and position.
public enum GraphError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicateTensor(String)
    case tensorIndexOutOfRange(operator: String, index: Int)
    case multipleProducers(tensor: String, operators: [String])
    case producedNonActivation(tensor: String, kind: TensorKind, operator: String)
    case unproducedActivation(tensor: String)
    case cycle(operators: [String])
    case badSize(tensor: String, reason: String)
    case totalSizeOverflow
    case badSchedule(String)
    case unknownSize(tensor: String)

    public var description: String {
        switch self {
        case .duplicateTensor(let name):
            return "tensor '\(name)' is defined twice"
        case .tensorIndexOutOfRange(let op, let index):
            return "operator '\(op)' refers to tensor #\(index), which does not exist"
        case .multipleProducers(let tensor, let ops):
            return "tensor '\(tensor)' is written by several operators: \(ops.map { "'\($0)'" }.joined(separator: ", "))"
        case .producedNonActivation(let tensor, let kind, let op):
            return "operator '\(op)' writes '\(tensor)', which is a graph \(kind == .weight ? "weight" : "input")"
        case .unproducedActivation(let tensor):
            return "activation '\(tensor)' is written by no operator"
        case .cycle(let ops):
            let shown = ops.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
            return "the operators form a cycle (\(ops.count) operators involved: \(shown)\(ops.count > 5 ? ", …" : ""))"
        case .badSize(let tensor, let reason):
            return "tensor '\(tensor)': \(reason)"
        case .totalSizeOverflow:
            return "the tensors' total size overflows a 64-bit byte count"
        case .badSchedule(let reason):
            return "invalid schedule: \(reason)"
        case .unknownSize(let tensor):
            return "tensor '\(tensor)' has no known size (no shape, or an unbound symbolic dimension)"
        }
    }
}
