/// XML's text and attribute escaping, for the SVG charts of numbers-bench and numbers-chart.
public enum XMLText {
    /// `s` with `&`, `<`, `>` and `"` as entities, safe inside an element or a quoted attribute.
    public static func escaped(_ s: String) -> String {
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
