import Foundation
import Testing
import Plan
@testable import Render

@Suite struct PlanPictureTests {
    static func document(_ svg: String) throws -> SVGElements { try SVGElements(svg) }

    @Test func theSVGIsWellFormedWithOneRectanglePerInterval() throws {
        let svg = try PlanPicture().svg(SamplePlans.small)
        let document = try Self.document(svg)
        #expect(document.elements.last?.name == "svg")
        let rects = document.all("rect", class: "iv")
        #expect(rects.count == 6)
        #expect(rects.filter { $0.attributes["class"] == "iv activation" }.count == 4)
        #expect(rects.filter { $0.attributes["class"] == "iv weight" }.count == 1)
        #expect(rects.filter { $0.attributes["class"] == "iv input" }.count == 1)
        // Rectangles stay inside the picture and have positive size.
        for rect in rects {
            let number = { (name: String) in Double(rect.attributes[name] ?? "") ?? -1 }
            #expect(number("x") >= 0 && number("x") + number("width") <= 1200.05)
            #expect(number("y") >= 0 && number("y") + number("height") <= 720.05)
            #expect(number("width") > 0 && number("height") > 0)
        }
    }

    @Test func theWeightsRectangleSitsWhereThePlanPutsIt() throws {
        let document = try Self.document(try PlanPicture().svg(SamplePlans.small))
        let rects = document.all("rect", class: "iv")
        let tops = rects.map { $0.number("y") ?? .nan }
        let bottoms = zip(rects, tops).map { $1 + ($0.number("height") ?? .nan) }
        // x at [0, 1024), w at [1024, 3072): w's bottom edge is x's top edge.
        #expect(abs(bottoms[1] - tops[0]) < 0.11)
        // Later steps are further right.
        let xs = rects.map { $0.number("x") ?? .nan }
        #expect(xs[0] == xs[1] && xs[1] == xs[2] && xs[2] < xs[3] && xs[3] < xs[4])
    }

    @Test func namesAreEscapedAndShowInTooltips() throws {
        let svg = try PlanPicture().svg(SamplePlans.small)
        #expect(!svg.contains(SamplePlans.oddName))
        #expect(svg.contains("odd &lt;name&gt; &amp; &quot;quoted&quot; &#39;too&#39;"))
        let document = try Self.document(svg)
        let titles = document.all("title").map(\.text)
        #expect(titles.count == 6)
        let odd = try #require(titles.first { $0.hasPrefix(SamplePlans.oddName) })
        #expect(odd.contains("activation, 512 B"))
        #expect(odd.contains("resident steps 2–3"))
        #expect(odd.hasSuffix("offset 0 B"))
        let title = try #require(document.all("text", class: "title").first?.text)
        #expect(title == "tiny & small · hand <made>")
    }

    @Test func loadsAndSpillsAreMarked() throws {
        let document = try Self.document(try PlanPicture().svg(SamplePlans.small))
        let paths = document.all("path", inside: "marks")
        #expect(paths.filter { $0.attributes["class"] == "load" }.count == 3)
        #expect(paths.filter { $0.attributes["class"] == "spill" }.count == 2)
        // The legend explains both marks with the tiers' names.
        let legend = document.all("g", class: "legend").first?.text ?? ""
        #expect(legend.contains("load host→scratchpad"))
        #expect(legend.contains("spill/store scratchpad→host"))
    }

    @Test func theCapacityIsALabelledLine() throws {
        let document = try Self.document(try PlanPicture().svg(SamplePlans.small))
        let lines = document.all("line", class: "cap")
        #expect(lines.count == 2)  // the chart's and the legend's
        let line = lines[0]
        #expect(line.attributes["y1"] != nil && line.attributes["y1"] == line.attributes["y2"])
        let labels = document.all("text", class: "captext").map(\.text)
        #expect(labels == ["capacity 16 KiB"])
        // The capacity is the highest address drawn: above every rectangle.
        let capacityY = try #require(line.number("y1"))
        for rect in document.all("rect", class: "iv") {
            #expect(try #require(rect.number("y")) >= capacityY)
        }
    }

    @Test func aFarLargerCapacityIsNamedNotDrawn() throws {
        var plan = SamplePlans.small
        plan.tiers[0].capacity = 1 << 30
        let document = try Self.document(try PlanPicture().svg(plan))
        #expect(document.all("line", class: "cap").count == 1)  // the legend's
        let labels = document.all("text", class: "captext").map(\.text)
        #expect(labels == ["capacity 1 GiB (above the chart)"])
    }

    @Test func axesAndTitleSpeakHumanUnits() throws {
        let svg = try PlanPicture().svg(SamplePlans.small)
        let document = try Self.document(svg)
        let texts = document.all("text").map(\.text)
        #expect(texts.contains("2.5 KiB") && texts.contains("15 KiB"))
        #expect(texts.contains("0") && texts.contains("4"))  // step numbers
        let sub = try #require(document.all("text", class: "sub").first?.text)
        #expect(sub.contains("peak 11 KiB"))
        #expect(sub.contains("traffic 3.5 KiB compulsory + 8 KiB non-compulsory"))
    }

    @Test func malformedPlansStillDrawAndSaySo() throws {
        var plan = SamplePlans.small
        plan.steps[0].before.append(.allocate(42, in: "scratchpad", at: 0))
        plan.steps[1].before.append(.copy(-3, from: "host", to: "scratchpad"))
        let document = try Self.document(try PlanPicture().svg(plan))
        #expect(document.all("rect", class: "iv").count == 6)
        let note = document.all("text", class: "note").first?.text
        #expect(note == "2 malformed actions skipped")
    }

    @Test func theHTMLPageHasATooltipPerRectangleAndNoExternalResources() throws {
        let html = try PlanPicture().html(SamplePlans.small)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.components(separatedBy: "<title>").count - 1 == 7)  // the page's and six rectangles'
        #expect(html.contains("<title>x\ninput, 1 KiB (1024 B)\nresident step 0\noffset 0 B</title>"))
        #expect(html.contains("<title>odd &lt;name&gt; &amp; &quot;quoted&quot; &#39;too&#39;\n"))
        #expect(html.contains("data-tip"))
        #expect(!html.contains(SamplePlans.oddName))
        for external in ["src=", "href=", "@import", "url("] { #expect(!html.contains(external)) }
        // The SVG inside stays well formed.
        let start = try #require(html.range(of: "<svg "))
        let end = try #require(html.range(of: "</svg>"))
        _ = try Self.document(String(html[start.lowerBound ..< end.upperBound]))
    }

    /// Size, not speed: the picture of a large plan grows linearly with its
    /// residency intervals. (Rendering time is measured by `Benchmarks
    /// verify`-style suites, not here: the machines are shared.)
    @Test func largePlansStayBounded() throws {
        let plan = SamplePlans.chain(count: 5000)
        let svg = try PlanPicture().svg(plan)
        let residency = try Residency(plan: plan)
        #expect(residency.intervals.count > 10_000)
        let document = try Self.document(svg)
        #expect(document.all("rect", class: "iv").count == residency.intervals.count)
        #expect(svg.utf8.count < 250 * residency.intervals.count)
    }

    @Test func beyondTheLimitTheSmallestRectanglesAreLeftOut() throws {
        let plan = SamplePlans.chain(count: 600)
        let residency = try Residency(plan: plan)
        let svg = PlanPicture(maxRectangles: 500).svg(plan, residency: residency)
        let document = try Self.document(svg)
        let rects = document.all("rect", class: "iv")
        #expect(rects.count == 500)
        // The big activations survive; tiny weights go first.
        #expect(rects.allSatisfy { $0.attributes["class"] == "iv activation" })
        let note = document.all("text", class: "note").first?.text ?? ""
        #expect(note.contains("\(residency.intervals.count - 500) intervals under a pixel not drawn"))
    }
}
