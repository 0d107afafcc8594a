import Testing
@testable import Render

@Suite struct TextTests {
    @Test func bytesReadAsBinaryUnits() {
        #expect(ByteUnits.format(0) == "0 B")
        #expect(ByteUnits.format(1023) == "1023 B")
        #expect(ByteUnits.format(1024) == "1 KiB")
        #expect(ByteUnits.format(1536) == "1.5 KiB")
        #expect(ByteUnits.format(25_690_112) == "24.5 MiB")
        #expect(ByteUnits.format(123_456_789) == "118 MiB")
        #expect(ByteUnits.format(3 << 30) == "3 GiB")
        #expect(ByteUnits.format(-2048) == "-2 KiB")
        #expect(ByteUnits.format(Int.max).hasSuffix("TiB"))
    }

    @Test func numbersIgnoreLocaleAndNeverTrap() {
        #expect(NumberText.fixed(12.5) == "12.5")
        #expect(NumberText.fixed(3.0) == "3")
        #expect(NumberText.fixed(-0.25, places: 2) == "-0.25")
        #expect(NumberText.fixed(0.04) == "0")
        #expect(NumberText.fixed(-0.04) == "0")
        #expect(NumberText.fixed(.nan) == "0")
        #expect(NumberText.fixed(.infinity) == "0")
        #expect(NumberText.fixed(1e300) == "0")
    }

    @Test func markupIsEscaped() {
        #expect(XMLText.escape(#"a<b>&"c"'d'"#) == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
        #expect(XMLText.escape("tab\there\u{1}") == "tab\there\u{FFFD}")
        #expect(XMLText.escape("résumé ✓") == "résumé ✓")
    }

    @Test func ticksAreRoundAndCoverTheRange() {
        #expect(AxisTicks(maximum: 10, count: 5).values == [0, 2, 4, 6, 8, 10])
        #expect(AxisTicks(maximum: 4.2, count: 8).values == [0, 1, 2, 3, 4])
        #expect(AxisTicks(maximum: 3, count: 12, integral: true).values == [0, 1, 2, 3])
        #expect(AxisTicks(maximum: 230, count: 12, integral: true).step == 20)
        #expect(AxisTicks(maximum: 0, count: 5).values == [0])
        #expect(AxisTicks(maximum: .nan, count: 5).values == [0])
        for maximum in [0.7, 1, 17, 99.9, 1000, 123_456] {
            let ticks = AxisTicks(maximum: maximum, count: 8)
            #expect(ticks.values.count >= 2 && ticks.values.count <= 10)
            #expect(ticks.values.last! <= maximum * 1.000001)
        }
    }
}
