/// A binary min-heap of (key, value) pairs, ties broken by value.
struct MinHeap {
    private var items: [(key: Int, value: Int)] = []

    var isEmpty: Bool { items.isEmpty }

    /// The smallest (key, value) without removing it.
    var peek: (key: Int, value: Int)? { items.first }

    private static func less(_ a: (key: Int, value: Int), _ b: (key: Int, value: Int)) -> Bool {
        a.key != b.key ? a.key < b.key : a.value < b.value
    }

    /// O(log n).
    mutating func push(key: Int, value: Int) {
        items.append((key, value))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !Self.less(items[child], items[parent]) { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// The value with the smallest key, removed. O(log n).
    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && Self.less(items[left], items[smallest]) { smallest = left }
                if right < items.count && Self.less(items[right], items[smallest]) { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top.value
    }
}
