import Allocation
import ArenaSchedule
import Foundation
import ModelImport
import MemoryGraph
import RandomNetworks
import Testing

@Suite struct RandomNetworksTests {
    /// The same seed gives the same graph; another seed another graph.
    @Test func generationDependsOnlyOnTheSeed() throws {
        for nodes in [32, 64] {
            let a = try RandWire.stage(nodes: nodes, sizes: .mixed, seed: 4)
            let b = try RandWire.stage(nodes: nodes, sizes: .mixed, seed: 4)
            let c = try RandWire.stage(nodes: nodes, sizes: .mixed, seed: 5)
            #expect(a.operators == b.operators && a.tensors == b.tensors)
            #expect(a.operators != c.operators)
            #expect(a.operators.count == nodes + 1)
        }
        #expect(try NASCells.network(cells: 4, seed: 2).operators == NASCells.network(cells: 4, seed: 2).operators)
    }

    /// A Watts–Strogatz graph keeps n·k/2 edges (rewiring moves edges,
    /// never adds or drops one), without self-loops or repeats.
    @Test func wattsStrogatzKeepsItsEdges() {
        for seed in UInt64(0) ..< 10 {
            var random = SplitMix64(seed: seed)
            let graph = WattsStrogatz(nodes: 32, neighbours: 4, rewiring: 0.75, random: &random)
            #expect(graph.edges.count == 64)
            #expect(graph.edges.allSatisfy { $0.from < $0.to })
            #expect(Set(graph.edges.map { $0.from * 100 + $0.to }).count == graph.edges.count)
        }
    }

    @Test func badParametersAreRefused() {
        #expect(throws: RandomNetworkError.self) { try RandWire.stage(nodes: 4, neighbours: 4, sizes: .equal, seed: 0) }
        #expect(throws: RandomNetworkError.self) { try RandWire.stage(nodes: 10, neighbours: 3, sizes: .equal, seed: 0) }
        #expect(throws: RandomNetworkError.self) { try RandWire.stage(nodes: 10, rewiring: 1.5, sizes: .equal, seed: 0) }
        #expect(throws: RandomNetworkError.self) { try NASCells.network(cells: 0, seed: 0) }
    }

    /// The bundled files are what the generator writes today.
    @Test func bundledGraphsMatchTheGenerator() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (path, graph) in [("Models/randwire/ws32-equal-s3.json", try RandWire.stage(nodes: 32, sizes: .equal, seed: 3)),
                              ("Models/randwire/ws96-mixed-s9.json", try RandWire.stage(nodes: 96, sizes: .mixed, seed: 9)),
                              ("Models/nas/cells8-s0.json", try NASCells.network(cells: 8, seed: 0))] {
            let bundled = try Data(contentsOf: root.appendingPathComponent(path))
            #expect(bundled == JSONGraphFormat.encode(graph), "\(path) differs from the generator's output")
        }
    }
}
