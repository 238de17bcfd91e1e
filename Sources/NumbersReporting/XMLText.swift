/// XML's text and attribute escaping, for the SVG charts of numbers-bench and numbers-chart.
package enum XMLText {
    /// `s` with `&`, `<`, `>` and `"` as entities, safe inside an element or a quoted attribute.
    package static func escaped(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
