// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "NumbersStation",
    products: [
        .executable(name: "numbers-server", targets: ["numbers-server"]),
        .executable(name: "numbers-client", targets: ["numbers-client"]),
        .executable(name: "numbers-bench", targets: ["numbers-bench"]),
        .executable(name: "numbers-demo", targets: ["numbers-demo"]),
        .executable(name: "numbers-chart", targets: ["numbers-chart"]),
        .library(name: "NumbersProtocol", targets: ["NumbersProtocol"]),
    ],
    targets: [
        // Layer 1+2: wire format, generator, checksums, sans-IO engines. Pure: no sockets, no clocks.
        .target(name: "NumbersProtocol", dependencies: ["NumbersCRC32C", "NumbersSplitMix"], swiftSettings: strict),
        // CRC-32C with the CPU's crc32 and carry-less multiply instructions, and a table fallback.
        .target(name: "NumbersCRC32C"),
        // The sequence's numbers four at a time with AVX2 where the CPU has it, and a plain fallback.
        .target(name: "NumbersSplitMix"),
        // The one impairment model: used in the real send path and by the simulated network.
        .target(name: "NumbersImpairment", dependencies: ["NumbersProtocol"], swiftSettings: strict),
        // Layer 3: sockets, clocks, event loops around the engines.
        .target(name: "NumbersTransport", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersRedis", "NumbersReporting"], swiftSettings: strict),
        // Our own Redis client (RESP2 over TCP): the shared session store's I/O.
        .target(name: "NumbersRedis", dependencies: ["NumbersProtocol"], swiftSettings: strict),
        // Deterministic simulation: engines over the impairment model with a virtual clock.
        .target(name: "NumbersSimulation", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersInvariants"], swiftSettings: strict),
        // The server's safety invariants, checked by the simulation and the fuzz targets alike.
        .target(name: "NumbersInvariants", dependencies: ["NumbersProtocol"], swiftSettings: strict),
        // Fuzz targets: the entry points shared by the libFuzzer harnesses under Fuzz/ and the replay tests.
        .target(name: "NumbersFuzzing", dependencies: ["NumbersProtocol", "NumbersInvariants"], swiftSettings: strict),
        // Go-style flag parsing shared by the executables.
        // Text reports of the engines' counters and results, above the pure core; the executables print them.
        .target(name: "NumbersReporting", dependencies: ["NumbersProtocol"], swiftSettings: strict),
        .target(name: "NumbersCLI", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersReporting"], swiftSettings: strict),
        // Load generator for the benchmark: many client engines multiplexed over a few sockets.
        .target(name: "NumbersLoad", dependencies: ["NumbersProtocol", "NumbersTransport"], swiftSettings: strict),
        // Layer 4: executables.
        // The benchmark (run in release mode): efficiency, throughput, scale, TCP baseline, loss sweep.
        .executableTarget(name: "numbers-bench", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersTransport", "NumbersSimulation", "NumbersCLI", "NumbersLoad", "NumbersRedis", "NumbersReporting"], swiftSettings: strict),
        .executableTarget(name: "numbers-server", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersTransport", "NumbersCLI", "NumbersReporting"], swiftSettings: strict),
        .executableTarget(name: "numbers-demo", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersTransport", "NumbersCLI", "NumbersReporting"], swiftSettings: strict),
        // Time–sequence charts (SVG) from -trace files.
        .executableTarget(name: "numbers-chart", dependencies: ["NumbersCLI", "NumbersReporting"], swiftSettings: strict),
        .executableTarget(name: "numbers-client", dependencies: ["NumbersProtocol", "NumbersImpairment", "NumbersTransport", "NumbersCLI", "NumbersReporting"], swiftSettings: strict),

        .testTarget(name: "NumbersProtocolTests", dependencies: ["NumbersProtocol", "NumbersCRC32C", "NumbersSplitMix"], swiftSettings: strict),
        .testTarget(name: "NumbersImpairmentTests", dependencies: ["NumbersImpairment"], swiftSettings: strict),
        .testTarget(name: "NumbersTransportTests", dependencies: ["NumbersTransport"], swiftSettings: strict),
        .testTarget(name: "NumbersSimulationTests", dependencies: ["NumbersSimulation", "NumbersProtocol", "NumbersImpairment", "NumbersInvariants"], swiftSettings: strict),
        .testTarget(name: "NumbersReportingTests", dependencies: ["NumbersReporting", "NumbersProtocol"], swiftSettings: strict),
        .testTarget(name: "NumbersCLITests", dependencies: ["NumbersCLI", "NumbersImpairment"], swiftSettings: strict),
        .testTarget(name: "NumbersFuzzingTests", dependencies: ["NumbersFuzzing", "NumbersProtocol"], swiftSettings: strict),
        .testTarget(name: "NumbersRedisTests", dependencies: ["NumbersRedis"], swiftSettings: strict),
        .testTarget(name: "NumbersIntegrationTests", dependencies: ["NumbersProtocol", "NumbersTransport", "NumbersRedis", "NumbersLoad"], swiftSettings: strict),
    ]
)
