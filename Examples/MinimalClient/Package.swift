// swift-tools-version: 6.1
import PackageDescription

// Embeds NumbersProtocol (the sans-IO engines) in a program of its own, by path.
let package = Package(
    name: "MinimalClient",
    dependencies: [.package(name: "NumbersStation", path: "../..")],
    targets: [
        .executableTarget(name: "MinimalClient",
                          dependencies: [.product(name: "NumbersProtocol", package: "NumbersStation")],
                          swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
