import Testing
@testable import Verifier

@Suite struct AddressMapTests {
    /// Random inserts and removals of disjoint ranges, checked against a
    /// plain list after every operation.
    @Test func agreesWithAListUnderRandomUse() {
        var random = SplitMix64(seed: 42)
        var map = AddressMap()
        var list: [AddressMap.Range] = []
        for owner in 0 ..< 3000 {
            if !list.isEmpty && random.next() % 3 == 0 {
                let victim = list.remove(at: Int(random.next() % UInt64(list.count)))
                let removed = map.remove(start: victim.start, owner: victim.owner)
                #expect(removed)
            } else {
                let start = Int(random.next() % 100_000)
                let end = start + 1 + Int(random.next() % 300)
                let overlapping = list.contains { $0.start < end && start < $0.end }
                let reported = map.lastRange(startingBefore: end).map { $0.end > start } ?? false
                #expect(overlapping == reported)
                if !overlapping {
                    let range = AddressMap.Range(start: start, end: end, owner: owner)
                    map.insert(range)
                    list.append(range)
                }
            }
            #expect(map.count == list.count)
        }
        #expect(map.ranges == list.sorted { $0.start < $1.start })
        let removedNothing = !map.remove(start: -5, owner: 0)
        #expect(removedNothing)
    }

    @Test func handlesAddressesOfHundredsOfGigabytes() {
        var map = AddressMap()
        let gib = 1 << 30
        map.insert(.init(start: 300 * gib, end: 400 * gib, owner: 0))
        map.insert(.init(start: 0, end: gib, owner: 1))
        #expect(map.lastRange(startingBefore: 350 * gib)?.owner == 0)
        #expect(map.lastRange(startingBefore: 300 * gib)?.owner == 1)
        #expect(map.lastRange(startingBefore: 0) == nil)
        #expect(map.lastRange(startingBefore: Int.max)?.end == 400 * gib)
    }
}
