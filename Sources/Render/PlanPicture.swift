import MemoryGraph
import Plan

/// Draws a plan as a picture: time (steps) left to right, addresses in the
/// compute tier bottom to top, one rectangle per residency interval filled
/// by tensor kind, loads and spills marked on the rectangles' edges, the
/// tier's capacity as a dashed line.
///
/// The SVG is built as one string in O(intervals + transfers) with no
/// per-pixel work, and its size is bounded: at most ``maxRectangles``
/// rectangles (the ones covering the fewest pixels are left out beyond
/// that, and the picture says how many), coordinates with one decimal.
/// Every rectangle carries an SVG `<title>`, which browsers show as a
/// tooltip; ``html(_:residency:)`` adds a styled tooltip on top.
public struct PlanPicture: Sendable {
    /// The picture's size in CSS pixels.
    public var width: Int
    public var height: Int
    /// Above this many intervals, the smallest (in pixels) are not drawn.
    public var maxRectangles: Int

    public init(width: Int = 1200, height: Int = 720, maxRectangles: Int = 20_000) {
        self.width = max(width, 480)
        self.height = max(height, 320)
        self.maxRectangles = max(maxRectangles, 1)
    }

    /// The plan as a standalone SVG document.
    public func svg(_ plan: Plan) throws(RenderError) -> String {
        svg(plan, residency: try Residency(plan: plan))
    }

    /// The plan as a standalone HTML page: the SVG inline, a tooltip per
    /// rectangle, no external resources.
    public func html(_ plan: Plan) throws(RenderError) -> String {
        html(plan, residency: try Residency(plan: plan))
    }

    public func html(_ plan: Plan, residency: Residency) -> String {
        HTMLPage.wrap(svg: svg(plan, residency: residency), title: Self.title(plan))
    }

    public func svg(_ plan: Plan, residency: Residency) -> String {
        let frame = frame(for: residency)
        var out = ""
        out.reserveCapacity(4096 + 160 * min(residency.intervals.count, maxRectangles))
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, Liberation Sans, Arial, sans-serif\">\n"
        out += style
        out += "<rect class=\"bg\" width=\"\(width)\" height=\"\(height)\"/>\n"
        out += header(plan, residency: residency)
        out += axes(frame, residency: residency)
        out += intervals(frame, plan: plan, residency: residency)
        out += capacity(frame, tier: residency.tier)
        out += transfers(frame, residency: residency)
        out += legend(plan, residency: residency)
        out += "</svg>\n"
        return out
    }

    // MARK: Parts

    private var style: String {
        let kinds = TensorKind.allCases.map { ".\($0.rawValue){fill:\(TensorColors.fill(for: $0))}" }.joined()
        return """
            <style>
            .bg{fill:#fff}
            \(kinds)
            .iv{stroke:#fff;stroke-width:0.5}
            .grid{stroke:#e4e4e4;stroke-width:1}
            .axis{stroke:#444;stroke-width:1}
            .cap{stroke:\(TensorColors.capacity);stroke-width:1.5;stroke-dasharray:6 4}
            .load{stroke:\(TensorColors.load);fill:\(TensorColors.load);stroke-width:1.5}
            .spill{stroke:\(TensorColors.spill);fill:\(TensorColors.spill);stroke-width:1.5}
            .marks{pointer-events:none}
            text{fill:#222;font-size:12px}
            .title{font-size:18px;font-weight:bold}
            .sub{font-size:13px;fill:#444}
            .captext{fill:\(TensorColors.capacity);font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}
            .note{fill:#a00}
            </style>

            """
    }

    private func frame(for residency: Residency) -> ChartFrame {
        let used = Double(residency.height)
        var top = used
        if let capacity = residency.tier.capacity, capacity > 0 {
            // Show the capacity unless it would squash the plan into a sliver.
            if used == 0 || Double(capacity) <= 4 * used { top = max(top, Double(capacity)) }
        }
        if top <= 0 { top = 1024 }
        return ChartFrame(left: 84, top: 78, right: Double(width) - 24, bottom: Double(height) - 78,
                          boundaries: Double(max(residency.stepCount, 1)), addresses: top * 1.06)
    }

    private func header(_ plan: Plan, residency: Residency) -> String {
        var facts: [String] = []
        let tier = residency.tier
        facts.append(tier.name + (tier.capacity.map { " " + ByteUnits.format($0) } ?? ""))
        if let peak = plan.metrics.peakBytes[tier.name] { facts.append("peak " + ByteUnits.format(peak)) }
        else { facts.append("height " + ByteUnits.format(residency.height)) }
        facts.append("traffic " + ByteUnits.format(plan.metrics.compulsoryBytes) + " compulsory + "
                     + ByteUnits.format(plan.metrics.nonCompulsoryBytes) + " non-compulsory")
        let loads = residency.transfers.count { $0.direction == .load }
        let spills = residency.transfers.count - loads
        facts.append("\(plan.steps.count) steps, \(residency.intervals.count) intervals, \(loads) loads, \(spills) spills/stores")
        var out = "<text class=\"title\" x=\"20\" y=\"28\">\(XMLText.escape(Self.title(plan)))</text>\n"
        out += "<text class=\"sub\" x=\"20\" y=\"50\">\(XMLText.escape(facts.joined(separator: " · ")))</text>\n"
        var notes: [String] = []
        let hidden = residency.intervals.count - min(residency.intervals.count, maxRectangles)
        if hidden > 0 { notes.append("\(hidden) intervals under a pixel not drawn") }
        if residency.skippedActions > 0 {
            notes.append("\(residency.skippedActions) malformed actions skipped")
        }
        if !notes.isEmpty {
            out += "<text class=\"sub note\" x=\"20\" y=\"68\">\(XMLText.escape(notes.joined(separator: " · ")))</text>\n"
        }
        return out
    }

    private func axes(_ frame: ChartFrame, residency: Residency) -> String {
        var out = "<g class=\"axes\">\n"
        let unit = ByteUnits.unit(for: frame.addresses)
        let yTicks = AxisTicks(maximum: frame.addresses / unit.scale, count: 8)
        for value in yTicks.values {
            let y = NumberText.fixed(frame.y(value * unit.scale))
            out += "<line class=\"grid\" x1=\"\(NumberText.fixed(frame.left))\" x2=\"\(NumberText.fixed(frame.right))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            let label = value == 0 ? "0" : NumberText.fixed(value, places: 2) + " " + unit.name
            out += "<text x=\"\(NumberText.fixed(frame.left - 6))\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\">\(label)</text>\n"
        }
        let xTicks = AxisTicks(maximum: frame.boundaries, count: 12, integral: true)
        let bottom = NumberText.fixed(frame.bottom)
        for value in xTicks.values {
            let x = NumberText.fixed(frame.x(Int(value)))
            out += "<line class=\"axis\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(bottom)\" y2=\"\(NumberText.fixed(frame.bottom + 5))\"/>"
            out += "<text x=\"\(x)\" y=\"\(NumberText.fixed(frame.bottom + 18))\" text-anchor=\"middle\">\(Int(value))</text>\n"
        }
        out += "<line class=\"axis\" x1=\"\(NumberText.fixed(frame.left))\" x2=\"\(NumberText.fixed(frame.right))\" y1=\"\(bottom)\" y2=\"\(bottom)\"/>\n"
        out += "<line class=\"axis\" x1=\"\(NumberText.fixed(frame.left))\" x2=\"\(NumberText.fixed(frame.left))\" y1=\"\(NumberText.fixed(frame.top))\" y2=\"\(bottom)\"/>\n"
        out += "<text x=\"\(NumberText.fixed(frame.left + frame.width / 2))\" y=\"\(NumberText.fixed(frame.bottom + 36))\" text-anchor=\"middle\">step</text>\n"
        let middle = NumberText.fixed(frame.top + frame.height / 2)
        out += "<text x=\"18\" y=\"\(middle)\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(middle))\">"
        out += "address in \(XMLText.escape(residency.tier.name))</text>\n"
        return out + "</g>\n"
    }

    private func intervals(_ frame: ChartFrame, plan: Plan, residency: Residency) -> String {
        var shown = residency.intervals
        if shown.count > maxRectangles {
            // Keep the rectangles that cover the most pixels; stable order.
            let area = { (i: ResidencyInterval) in Double(i.end - i.start) * Double(i.bytes) }
            let kept = shown.indices.sorted { area(shown[$0]) > area(shown[$1]) }.prefix(maxRectangles).sorted()
            shown = kept.map { shown[$0] }
        }
        var out = "<g class=\"intervals\">\n"
        for interval in shown {
            // A residency made from another plan must not trap here.
            guard plan.tensors.indices.contains(interval.tensor) else { continue }
            let tensor = plan.tensors[interval.tensor]
            let x0 = frame.x(interval.start), x1 = frame.x(interval.end)
            var y0 = frame.y(end: interval.offset, interval.bytes), y1 = frame.y(interval.offset)
            // A tensor far below a pixel still shows as a hairline, grown
            // downwards so that it never pokes above the capacity line.
            if y1 - y0 < 1 {
                y0 = min(y0, frame.bottom - 1)
                y1 = y0 + 1
            }
            out += "<rect class=\"iv \(tensor.kind.rawValue)\" x=\"\(NumberText.fixed(x0))\" y=\"\(NumberText.fixed(y0))\" "
            out += "width=\"\(NumberText.fixed(x1 - x0))\" height=\"\(NumberText.fixed(y1 - y0))\">"
            out += "<title>\(XMLText.escape(Self.tooltip(interval, tensor: tensor)))</title></rect>\n"
        }
        return out + "</g>\n"
    }

    private func capacity(_ frame: ChartFrame, tier: Tier) -> String {
        guard let capacity = tier.capacity, capacity > 0 else { return "" }
        let label = "capacity " + ByteUnits.format(capacity)
        let right = NumberText.fixed(frame.right - 4)
        guard Double(capacity) <= frame.addresses else {
            return "<text class=\"captext\" x=\"\(right)\" y=\"\(NumberText.fixed(frame.top - 4))\" text-anchor=\"end\">\(label) (above the chart)</text>\n"
        }
        let y = frame.y(capacity)
        var out = "<line class=\"cap\" x1=\"\(NumberText.fixed(frame.left))\" x2=\"\(NumberText.fixed(frame.right))\" "
        out += "y1=\"\(NumberText.fixed(y))\" y2=\"\(NumberText.fixed(y))\"/>\n"
        out += "<text class=\"captext\" x=\"\(right)\" y=\"\(NumberText.fixed(y - 5))\" text-anchor=\"end\">\(label)</text>\n"
        return out
    }

    /// Each copy as a stroke along the edge of the tensor's rectangle where
    /// it happens, with an arrowhead: into the edge for a load, out of it
    /// for a spill. The arrowheads shrink when steps are narrow.
    private func transfers(_ frame: ChartFrame, residency: Residency) -> String {
        let size = min(6, max(2.5, frame.pixelsPerStep * 0.6))
        // Arrowheads stay under the capacity line, lest a tensor at the top
        // of the tier look as if it broke the capacity.
        let capacity = residency.tier.capacity.map { Double($0) }.flatMap { $0 > 0 && $0 <= frame.addresses ? $0 : nil }
        let ceiling = min(capacity.map { frame.y($0) } ?? frame.top, frame.bottom)
        var out = "<g class=\"marks\">\n"
        for transfer in residency.transfers {
            out += Self.mark(transfer.direction, x: frame.x(transfer.boundary),
                             top: frame.y(end: transfer.offset, transfer.bytes), bottom: frame.y(transfer.offset), size: size,
                             within: ceiling ... frame.bottom)
            out += "\n"
        }
        return out + "</g>\n"
    }

    /// One path: a stroke along the edge at `x` from `top` to `bottom` (at
    /// least a pixel), and an arrowhead of `size` at its middle, moved as
    /// little as needed to lie `within` the given pixel rows.
    private static func mark(_ direction: Transfer.Direction, x: Double, top: Double, bottom: Double,
                             size: Double, within rows: ClosedRange<Double>? = nil) -> String {
        var middle = (top + bottom) / 2
        if let rows, rows.upperBound - rows.lowerBound > 2 * size {
            middle = min(max(middle, rows.lowerBound + size), rows.upperBound - size)
        }
        let tip = direction == .load ? x : x + size
        let base = tip - size
        var d = "M\(NumberText.fixed(x)) \(NumberText.fixed(min(top, middle - 0.5)))V\(NumberText.fixed(max(bottom, middle + 0.5)))"
        d += "M\(NumberText.fixed(base)) \(NumberText.fixed(middle - size))L\(NumberText.fixed(tip)) \(NumberText.fixed(middle))"
        d += "L\(NumberText.fixed(base)) \(NumberText.fixed(middle + size))Z"
        return "<path class=\"\(direction == .load ? "load" : "spill")\" d=\"\(d)\"/>"
    }

    private func legend(_ plan: Plan, residency: Residency) -> String {
        let compute = residency.tier.name
        let peers = Set(residency.transfers.map(\.peer))
        let other = peers.count > 1 ? "other tiers" : peers.first ?? plan.homeTier
        var x = 84.0
        let y = Double(height) - 20
        var out = "<g class=\"legend\">\n"
        for kind in TensorKind.allCases {
            out += "<rect class=\"\(kind.rawValue)\" x=\"\(NumberText.fixed(x))\" y=\"\(NumberText.fixed(y - 10))\" width=\"14\" height=\"12\"/>"
            out += "<text x=\"\(NumberText.fixed(x + 19))\" y=\"\(NumberText.fixed(y))\">\(kind.rawValue)</text>\n"
            x += 34 + Double(kind.rawValue.count) * 7
        }
        let marks: [(Transfer.Direction, String)] = [(.load, "load \(other)→\(compute)"),
                                                     (.spill, "spill/store \(compute)→\(other)")]
        for (direction, text) in marks {
            // The same shape as in the chart: an edge at x + 10, the arrowhead
            // arriving at it for a load, leaving it for a spill.
            out += Self.mark(direction, x: x + 10, top: y - 11, bottom: y + 2, size: 5)
            let escaped = XMLText.escape(text)
            out += "<text x=\"\(NumberText.fixed(x + 22))\" y=\"\(NumberText.fixed(y))\">\(escaped)</text>\n"
            x += 40 + Double(text.count) * 7
        }
        if (residency.tier.capacity ?? 0) > 0 {
            out += "<line class=\"cap\" x1=\"\(NumberText.fixed(x))\" x2=\"\(NumberText.fixed(x + 24))\" y1=\"\(NumberText.fixed(y - 4))\" y2=\"\(NumberText.fixed(y - 4))\"/>"
            out += "<text x=\"\(NumberText.fixed(x + 30))\" y=\"\(NumberText.fixed(y))\">capacity</text>\n"
        }
        return out + "</g>\n"
    }

    // MARK: Text

    /// "resnet50 · baseline-belady".
    static func title(_ plan: Plan) -> String {
        plan.graph.name + " · " + plan.method
    }

    /// The tooltip of one rectangle: name, kind and size, the steps it is
    /// resident for, its address range.
    static func tooltip(_ interval: ResidencyInterval, tensor: PlanTensor) -> String {
        let steps = interval.firstStep == interval.lastStep
            ? "step \(interval.firstStep)" : "steps \(interval.firstStep)–\(interval.lastStep)"
        return """
            \(tensor.name)
            \(tensor.kind.rawValue), \(exact(interval.bytes))
            resident \(steps)
            offset \(exact(interval.offset))
            """
    }

    /// "512 B", or "1.5 KiB (1536 B)" where the unit rounds.
    private static func exact(_ bytes: Int) -> String {
        bytes < 1024 ? "\(bytes) B" : "\(ByteUnits.format(bytes)) (\(bytes) B)"
    }
}
