import Foundation
import Units

/// Profile files: reading with a message naming the field for every
/// problem, and writing back in the same form.
extension HardwareProfile {
    /// Reads a profile document. Throws ``ProfileError`` naming the field.
    /// O(size of the document).
    public init(json data: Data) throws(ProfileError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ProfileError(field: nil, "not valid JSON")
        }
        let fields = try ProfileFields(value, path: "")
        let withTiers = fields.has("tiers")
        var allowed: Set<String> = ["name", "source", "sources", "cpuCorrection", "tiers"]
        allowed.formUnion(Self.computeKeys)
        if !withTiers { allowed.formUnion(Self.flexGenLinkKeys + Self.sizeKeys) }
        var hints: [String: String] = [:]
        for (old, new) in [("gpuMemoryGB", "gpuMemory"), ("cpuMemoryGB", "cpuMemory"), ("diskGB", "disk")] {
            hints[old] = "no longer read: give \(new) as a size, e.g. \"16GiB\" (FlexGen's GB is 2^30 bytes: GiB)"
        }
        if withTiers {
            for key in Self.flexGenLinkKeys + Self.sizeKeys {
                hints[key] = "a profile with tiers gives capacities and links per tier; drop \(key)"
            }
        }
        try fields.refuseUnknown(allowed: allowed, hints: hints)

        let name = try fields.requiredString("name")
        var compute: [String: Double] = [:]
        for key in Self.computeKeys { compute[key] = try fields.requiredNumber(key) }
        guard let correctionItems = try fields.array("cpuCorrection") else {
            throw ProfileError(field: "cpuCorrection", "is missing")
        }
        var correction: [Double] = []
        for (i, item) in correctionItems.enumerated() {
            switch item {
            case .integer(let c): correction.append(Double(c))
            case .number(let c): correction.append(c)
            default: throw ProfileError(field: "cpuCorrection[\(i)]", "must be a number, got \(item.typeName)")
            }
        }
        if withTiers {
            guard let items = try fields.array("tiers") else { throw ProfileError(field: "tiers", "is missing") }
            var tiers: [TierSpec] = []
            guard items.count <= 64 else { throw ProfileError(field: "tiers", "must list 2 to 8 tiers, got \(items.count)") }
            for (k, item) in items.enumerated() { tiers.append(try TierSpec(item, path: "tiers[\(k)]")) }
            self.init(name: name, tiers: tiers, matmulPrefillTflops: compute["matmulPrefillTflops"]!,
                      matmulDecodeTflops: compute["matmulDecodeTflops"]!,
                      batchedMatmulPrefillTflops: compute["batchedMatmulPrefillTflops"]!,
                      batchedMatmulDecodeTflops: compute["batchedMatmulDecodeTflops"]!, cpuTflops: compute["cpuTflops"]!,
                      cpuCorrection: correction)
        } else {
            var links: [String: Double] = [:]
            for key in Self.flexGenLinkKeys { links[key] = try fields.requiredNumber(key) }
            self.init(name: name, gpuMemory: try fields.requiredSize("gpuMemory"), cpuMemory: try fields.requiredSize("cpuMemory"),
                      disk: try fields.requiredSize("disk"), cpuToGpuGBps: links["cpuToGpuGBps"]!,
                      gpuToCpuCacheGBps: links["gpuToCpuCacheGBps"]!, gpuToCpuHiddenGBps: links["gpuToCpuHiddenGBps"]!,
                      diskToCpuGBps: links["diskToCpuGBps"]!, cpuToDiskCachePrefillGBps: links["cpuToDiskCachePrefillGBps"]!,
                      cpuToDiskHiddenPrefillGBps: links["cpuToDiskHiddenPrefillGBps"]!,
                      cpuToDiskDecodeGBps: links["cpuToDiskDecodeGBps"]!, matmulPrefillTflops: compute["matmulPrefillTflops"]!,
                      matmulDecodeTflops: compute["matmulDecodeTflops"]!,
                      batchedMatmulPrefillTflops: compute["batchedMatmulPrefillTflops"]!,
                      batchedMatmulDecodeTflops: compute["batchedMatmulDecodeTflops"]!, cpuTflops: compute["cpuTflops"]!,
                      cpuCorrection: correction)
        }
        source = try fields.string("source")
        sources = try fields.stringMap("sources")
        // validationError's messages start with the field they name.
        if let problem = validationError() { throw ProfileError(field: nil, problem) }
    }

    /// Reads a profile file, or a built-in profile by name when no such
    /// file exists. Errors name the file and the field.
    public static func load(_ nameOrPath: String) throws(ProfileError) -> HardwareProfile {
        if let builtIn = builtIn[nameOrPath.lowercased()], !FileManager.default.fileExists(atPath: nameOrPath) {
            return builtIn
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw ProfileError(field: nameOrPath, "no such hardware profile (a JSON file, or a built-in name: "
                + builtIn.keys.sorted().joined(separator: ", ") + ")")
        }
        guard data.count <= 1 << 20 else { throw ProfileError(field: nameOrPath, "larger than 1 MiB; not a hardware profile") }
        do {
            return try HardwareProfile(json: data)
        } catch {
            throw ProfileError(field: nameOrPath, error.description)
        }
    }

    /// The profile as a JSON document in the form it was given (a chain, or
    /// FlexGen's fields), sizes written exactly in the byte-size grammar.
    public func jsonData() -> Data {
        var object: [String: Any] = ["name": name]
        if let source { object["source"] = source }
        if let sources { object["sources"] = sources }
        object["matmulPrefillTflops"] = matmulPrefillTflops
        object["matmulDecodeTflops"] = matmulDecodeTflops
        object["batchedMatmulPrefillTflops"] = batchedMatmulPrefillTflops
        object["batchedMatmulDecodeTflops"] = batchedMatmulDecodeTflops
        object["cpuTflops"] = cpuTflops
        object["cpuCorrection"] = cpuCorrection
        if let tiers {
            object["tiers"] = tiers.map(\.jsonObject)
        } else {
            object["gpuMemory"] = SizeText.exact(gpuMemory)
            object["cpuMemory"] = SizeText.exact(cpuMemory)
            object["disk"] = SizeText.exact(disk)
            object["cpuToGpuGBps"] = cpuToGpuGBps
            object["gpuToCpuCacheGBps"] = gpuToCpuCacheGBps
            object["gpuToCpuHiddenGBps"] = gpuToCpuHiddenGBps
            object["diskToCpuGBps"] = diskToCpuGBps
            object["cpuToDiskCachePrefillGBps"] = cpuToDiskCachePrefillGBps
            object["cpuToDiskHiddenPrefillGBps"] = cpuToDiskHiddenPrefillGBps
            object["cpuToDiskDecodeGBps"] = cpuToDiskDecodeGBps
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return data + Data("\n".utf8)
    }
}

extension TierSpec {
    init(_ value: JSONValue, path: String) throws(ProfileError) {
        let fields = try ProfileFields(value, path: path)
        try fields.refuseUnknown(allowed: ["name", "capacity", "via", "readGBps", "readCurve", "writeGBps", "cacheWriteGBps", "chunk", "source"])
        var curve: [BandwidthPoint]?
        if let items = try fields.array("readCurve") {
            guard items.count <= 1024 else { throw ProfileError(field: fields.field("readCurve"), "must hold 1 to 64 points, got \(items.count)") }
            curve = []
            for (i, item) in items.enumerated() {
                let point = try ProfileFields(item, path: "\(fields.field("readCurve"))[\(i)]")
                try point.refuseUnknown(allowed: ["chunk", "gbps"])
                curve!.append(BandwidthPoint(chunk: try point.requiredSize("chunk"), gbps: try point.requiredNumber("gbps")))
            }
        }
        self.init(name: try fields.requiredString("name"), capacity: try fields.requiredSize("capacity"), via: try fields.string("via"),
                  readGBps: try fields.number("readGBps"), readCurve: curve, writeGBps: try fields.number("writeGBps"),
                  cacheWriteGBps: try fields.number("cacheWriteGBps"), chunk: try fields.size("chunk"),
                  source: try fields.string("source"))
    }

    var jsonObject: [String: Any] {
        var object: [String: Any] = ["name": name, "capacity": SizeText.exact(capacity)]
        if let via { object["via"] = via }
        if let readGBps { object["readGBps"] = readGBps }
        if let readCurve { object["readCurve"] = readCurve.map { ["chunk": SizeText.exact($0.chunk), "gbps": $0.gbps] as [String: Any] } }
        if let writeGBps { object["writeGBps"] = writeGBps }
        if let cacheWriteGBps { object["cacheWriteGBps"] = cacheWriteGBps }
        if let chunk { object["chunk"] = SizeText.exact(chunk) }
        if let source { object["source"] = source }
        return object
    }
}
