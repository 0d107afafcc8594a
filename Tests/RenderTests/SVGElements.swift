import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A rendered picture read back with Foundation's XML parser: parsing fails
/// on anything malformed (an unescaped `<` or `&` in a name), and every
/// element is kept with its attributes, text and enclosing groups' classes.
struct SVGElements {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        /// The `class` of every enclosing element, outermost first.
        var ancestors: [String]

        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
        func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    var elements: [Element]

    init(_ text: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw ParseError(description: parser.parserError.map { "\($0)" } ?? "unparsable XML")
        }
        elements = collector.done
    }

    /// Elements named `name`, with `cls` among their classes when given,
    /// inside an element of class `inside` when given.
    func all(_ name: String, class cls: String? = nil, inside: String? = nil) -> [Element] {
        elements.filter { element in
            element.name == name && (cls.map { element.classes.contains($0) } ?? true)
                && (inside.map { element.ancestors.joined(separator: " ").split(separator: " ").contains(Substring($0)) } ?? true)
        }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var open: [Element] = []
        var done: [Element] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            open.append(Element(name: name, attributes: attributes, text: "",
                                ancestors: open.map { $0.attributes["class"] ?? "" }))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            for index in open.indices { open[index].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if let element = open.popLast() { done.append(element) }
        }
    }
}
