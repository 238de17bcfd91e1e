import NumbersCLI

/// The results' JSON is the executables' one (NumbersCLI), under the name the benchmark uses.
typealias JSON = NumbersCLI.JSON
