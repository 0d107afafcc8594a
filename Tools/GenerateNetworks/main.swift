import Foundation
import ModelImport
import RandomNetworks

// `swift run generate-networks [DIRECTORY]`: writes the randomly wired
// networks the smallest-arena scheduler is measured on, as Stowage JSON
// graphs, into DIRECTORY (default: Models):
//   randwire/ws{32,64,96}-{equal,mixed}-s{0..9}.json  RandWire stages, k = 4, p = 0.75
//   nas/cells8-s{0..9}.json                            eight stacked DARTS-like cells
// Every file depends only on its parameters and seed (SplitMix64).

let directory = CommandLine.arguments.dropFirst().first ?? "Models"
let seeds: [UInt64] = Array(0 ..< 10)

func write(_ data: Data, to path: String) {
    let url = URL(fileURLWithPath: path)
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    } catch {
        FileHandle.standardError.write(Data("generate-networks: \(path): \(error.localizedDescription)\n".utf8))
        exit(1)
    }
}

do {
    for nodes in [32, 64, 96] {
        for sizes in RandWire.Sizes.allCases {
            for seed in seeds {
                let graph = try RandWire.stage(nodes: nodes, sizes: sizes, seed: seed)
                write(JSONGraphFormat.encode(graph), to: "\(directory)/randwire/ws\(nodes)-\(sizes.rawValue)-s\(seed).json")
            }
        }
    }
    for seed in seeds {
        let graph = try NASCells.network(cells: 8, seed: seed)
        write(JSONGraphFormat.encode(graph), to: "\(directory)/nas/cells8-s\(seed).json")
    }
} catch {
    FileHandle.standardError.write(Data("generate-networks: \(error)\n".utf8))
    exit(1)
}
