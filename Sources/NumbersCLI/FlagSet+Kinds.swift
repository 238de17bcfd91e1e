/// Typed shorthands for `flag(_:default:usage:validate:)`, so call sites read like Go's
/// `flag.Int(...)` and the kind is visible without reading the default's type.
extension FlagSet {
    package func string(_ name: String, default value: String = "", usage: String,
                       validate: ((String) -> String?)? = nil) -> Flag<String> {
        flag(name, default: value, usage: usage, validate: validate)
    }

    package func bool(_ name: String, default value: Bool = false, usage: String) -> Flag<Bool> {
        flag(name, default: value, usage: usage)
    }

    package func int(_ name: String, default value: Int, usage: String,
                    validate: ((Int) -> String?)? = nil) -> Flag<Int> {
        flag(name, default: value, usage: usage, validate: validate)
    }

    package func uint32(_ name: String, default value: UInt32, usage: String,
                       validate: ((UInt32) -> String?)? = nil) -> Flag<UInt32> {
        flag(name, default: value, usage: usage, validate: validate)
    }

    package func uint64(_ name: String, default value: UInt64, usage: String,
                       validate: ((UInt64) -> String?)? = nil) -> Flag<UInt64> {
        flag(name, default: value, usage: usage, validate: validate)
    }

    package func double(_ name: String, default value: Double, usage: String,
                       validate: ((Double) -> String?)? = nil) -> Flag<Double> {
        flag(name, default: value, usage: usage, validate: validate)
    }

    package func duration(_ name: String, default value: FlagDuration, usage: String,
                         validate: ((FlagDuration) -> String?)? = nil) -> Flag<FlagDuration> {
        flag(name, default: value, usage: usage, validate: validate)
    }
}
