// swift-tools-version:6.2
import PackageDescription

// The libFuzzer build of Switchboard's fuzz targets (Sources/FuzzTargets in the main package):
// one binary, the target chosen by SWITCHBOARD_FUZZ_TARGET. Built only by Fuzz/run, in its own
// .build (the main package's build is untouched): every module with AddressSanitizer and
// coverage instrumentation, and libFuzzer's no-main runtime linked in (-Xswiftc, -Xlinker there);
// this binary's `main` runs libFuzzer's driver (FuzzDriver declares it).
let package = Package(
    name: "SwitchboardFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Switchboard", path: "..")],
    targets: [
        .executableTarget(
            name: "SwitchboardFuzz",
            dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: "Switchboard")]
        ),
        .target(name: "FuzzDriver"),
    ],
    swiftLanguageModes: [.v6]
)
