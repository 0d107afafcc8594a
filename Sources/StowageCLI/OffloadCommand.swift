import ArgumentParser
import Foundation
import MILP
import Offload
import StowageKit

/// `stowage offload`: placement of an LLM's weights, KV cache and
/// activations over the GPU, CPU memory and disk (or any chain of tiers a
/// profile describes), FlexGen's way or with whole tensors per layer.
struct OffloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offload",
        abstract: "Choose where an LLM's weights, KV cache and activations live: GPU, CPU memory, disk (or a profile's chain of tiers).",
        discussion: """
            Without --gbs/--nb, runs FlexGen's policy search (an LP per batch \
            shape, capacities scaled by α = 0.8). With --gbs and --nb, solves \
            that shape only; adding --percent evaluates that fixed policy \
            (α = 1.2, as FlexGen does). --mode exact counts bytes from the \
            architecture (Llama/Mistral: gated FFN, grouped-query attention), \
            places whole tensors per layer (each layer may keep different \
            tensors on the GPU) with a MILP per batch shape over every tier of \
            the profile, reports the continuous relaxation and the MILP's bound \
            beside it, and simulates and verifies the block plan. Sizes: \
            \(Units.ByteCount.grammar); FlexGen's "GB" is 2^30 bytes, so write GiB \
            to reproduce FlexGen (--gpu-mem 16GiB). Ranges: --prompt and --gen \
            1…2^20, --gbs and --nb 1…16384, --alpha 0.001…2, --time-limit up \
            to 10^6 s. `stowage offload calibrate` fits a profile's constants \
            to measured timings.
            """,
        subcommands: [OffloadCalibrateCommand.self]
    )

    /// Optional only so that `stowage offload calibrate` parses without it; `run` requires it.
    @Option(help: "A Hugging Face config.json (OPT, Llama, Mistral). Required.")
    var model: String?

    @Option(help: "A hardware profile: a JSON file, or a built-in name (\(HardwareProfile.builtIn.keys.sorted().joined(separator: ", "))).")
    var hardware: String = "t4"

    @Option(parsing: .unconditional, help: "Prompt length s (1…2^20).")
    var prompt: Int = 512

    @Option(parsing: .unconditional, help: "Generated tokens n (1…2^20).")
    var gen: Int = 32

    @Option(name: .customLong("gpu-mem"), parsing: .unconditional, help: "GPU memory, a size such as 16GiB (default: the profile's).")
    var gpuMemory: String?

    @Option(name: .customLong("cpu-mem"), parsing: .unconditional, help: "CPU memory, a size such as 200GiB (default: the profile's).")
    var cpuMemory: String?

    @Option(parsing: .unconditional, help: "Disk space (the profile's last tier), a size such as 1500GiB (default: the profile's).")
    var disk: String?

    @Option(parsing: .unconditional, help: "GPU batch size (1…16384).")
    var gbs: Int?

    @Option(parsing: .unconditional, help: "Number of GPU batches per block (1…16384).")
    var nb: Int?

    @Option(parsing: .upToNextOption, help: "Fixed percentages WG WC CG CC HG HC (disk gets the rest).")
    var percent: [Double] = []

    @Option(parsing: .unconditional, help: "Relaxation α on every capacity, 0.001…2 (default 0.8 for a search, 1.2 for a fixed policy).")
    var alpha: Double?

    @Flag(name: .customLong("compress-weights"), help: "Weights compressed to 4 bits.")
    var compressWeights = false

    @Flag(name: .customLong("compress-cache"), help: "KV cache compressed to 4 bits (exact mode).")
    var compressCache = false

    @Option(help: "flexgen: reproduce FlexGen's policy search; exact: architecture byte counts and whole tensors per layer over the profile's tiers.")
    var mode: OffloadOptions.Mode = .flexgen

    @Flag(help: "Simulate the FlexGen-rounded policy too (always done in exact mode); a policy whose simulated peaks break a capacity is rejected.")
    var simulate = false

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: "Wall-clock seconds for the whole command, reading the files included (up to 10^6); the best policy found and checked by then is printed (exit 0), or exit 1 when there is none.")
    var timeLimit: Double?

    @Flag(help: "Print one JSON object.")
    var json = false

    /// The options as the facade takes them: sizes parsed in the one byte
    /// grammar; every range is checked by ``OffloadOptions/check()``.
    func offloadOptions() throws(StowageError) -> OffloadOptions {
        func size(_ text: String?, _ key: String) throws(StowageError) -> Int? {
            guard let text else { return nil }
            return try OffloadOptions.size(text, key: key)
        }
        return OffloadOptions(
            hardware: hardware, prompt: prompt, gen: gen, gpuMem: try size(gpuMemory, "gpuMem"), cpuMem: try size(cpuMemory, "cpuMem"),
            disk: try size(disk, "disk"), gbs: gbs, nb: nb, percent: percent, alpha: alpha, compressWeights: compressWeights,
            compressCache: compressCache, mode: mode, simulate: simulate, timeLimit: ProcessAge.remaining(of: timeLimit))
    }

    /// A thin shell over ``Planner/offload(configAt:options:)``: the options
    /// are checked before the model is named, as before the facade existed.
    func run() throws {
        do {
            let options = try offloadOptions()
            try options.check()
            guard let model else { throw CommandFailure.badInput("missing --model (a Hugging Face config.json)") }
            let result = try Planner().offload(configAt: model, options: options)
            print(json ? String(decoding: result.json(), as: UTF8.self) : result.text())
        } catch let error as StowageError {
            throw CommandFailure(error)
        }
    }
}


extension OffloadOptions.Mode: ExpressibleByArgument {}
