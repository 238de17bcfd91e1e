import Glibc
import NumbersLoad
import NumbersProtocol
import NumbersRedis
import NumbersTransport

/// Paced sessions (1 number/s) over the Redis store: a redis-server of the benchmark's own on
/// this machine, one or two `numbers-server -store redis://… -reusePort` on one port, loaded by
/// the in-process generator. Reports what the scale part does (verified, late sends) plus the
/// Redis commands per session-second, counted by Redis itself (`total_commands_processed`).
struct SharedScaleOptions {
    var sessions = [50_000]
    var servers = [1, 2]
    var numbersPerSession: UInt32 = 30
    var openRate = 5_000.0
    var sockets = 64
    var maxLate = 0.01
    var serverPath = ""
    var redisPath = "redis-server"
    var slack = 30.0
}

struct SharedScaleStep {
    var sessions: Int
    var servers: Int
    var report: LoadReport
    var dataSent: UInt64
    var lateSends: UInt64
    var redisCommands: Int
    var adopted: Int
    var serverCPUSeconds: Double
    var redisCPUSeconds: Double

    var numbersPerSession: UInt32
    /// Each session lives about one second per number.
    var commandsPerSessionSecond: Double { Double(redisCommands) / (Double(sessions) * Double(numbersPerSession)) }
    var lateFraction: Double { dataSent > 0 ? Double(lateSends) / Double(dataSent) : 1 }
    func sustained(maxLate: Double) -> Bool { report.verified && lateFraction <= maxLate }

    var json: JSON {
        .object([
            ("sessions", .int(sessions)),
            ("servers", .int(servers)),
            ("verified", .int(report.passed)),
            ("late_fraction", .number(lateFraction, places: 6)),
            ("data_sent", .int(Int(dataSent))),
            ("redis_commands", .int(redisCommands)),
            ("redis_commands_per_session_second", .number(commandsPerSessionSecond, places: 3)),
            ("server_cpu_s", .number(serverCPUSeconds, places: 2)),
            ("redis_cpu_s", .number(redisCPUSeconds, places: 2)),
            ("elapsed_s", .number(report.elapsed.seconds, places: 2)),
        ])
    }

    var text: String {
        "\(column(grouped(sessions), 8)) sessions, \(servers) server\(servers == 1 ? "" : "s") on one port: \(grouped(report.passed)) verified, "
            + "late \(fixed(lateFraction * 100, 3))%, \(grouped(redisCommands)) Redis commands = \(fixed(commandsPerSessionSecond, 3)) per session-second, "
            + "server CPU \(fixed(serverCPUSeconds, 1)) s, Redis CPU \(fixed(redisCPUSeconds, 1)) s, in \(fixed(report.elapsed.seconds, 1)) s"
            + (report.verified ? "" : " (failed \(report.failedVerification), rejected \(report.rejected), no answer \(report.noAnswer), unfinished \(report.unfinished))")
    }
}

enum SharedScale {
    static func run(options: SharedScaleOptions) throws(BenchError) -> [SharedScaleStep] {
        guard isExecutable(options.serverPath) else { throw BenchError("no numbers-server at \(options.serverPath)") }
        var steps: [SharedScaleStep] = []
        for sessions in options.sessions {
            for servers in options.servers {
                let step = try runStep(sessions: sessions, servers: servers, options: options)
                progress("scale-redis: " + step.text)
                steps.append(step)
            }
        }
        return steps
    }

    static func commandsProcessed(_ client: RedisClient) throws(BenchError) -> Int {
        do {
            let info = try client.send(RedisCommand("INFO", "stats")).text ?? ""
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("total_commands_processed:") {
                if let value = Int(line.dropFirst("total_commands_processed:".count)) { return value }
            }
            throw BenchError("no total_commands_processed in INFO stats")
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("redis INFO: \(error)")
        }
    }

    static func runStep(sessions: Int, servers count: Int, options: SharedScaleOptions) throws(BenchError) -> SharedScaleStep {
        guard let redisPort = ThrowawayRedis.freeTCPPort() else { throw BenchError("no free TCP port") }
        let directory = temporaryPath("scale-redis")
        mkdir(directory, 0o700)
        let redis = try ChildProcess([options.redisPath] + ThrowawayRedis.arguments(port: redisPort, directory: directory), outputPath: nil)
        defer { redis.stop(); rmdir(directory) }
        try redis.waitUntilBound(port: redisPort, tcp: true)
        let url = "redis://127.0.0.1:\(redisPort)"
        let port = try Scale.freeUDPPort()
        var servers: [(ChildProcess, String)] = []
        defer { for (server, path) in servers { server.stop(); unlink(path) } }
        for i in 0..<count {
            let outputPath = temporaryPath("scale-redis-server-\(i)")
            let server = try ChildProcess([options.serverPath, "-host", "127.0.0.1", "-port", "\(port)", "-interval", "1s", "-quiet",
                                           "-store", url, "-reusePort", "-maxSessions", "\(sessions + sessions / 10 + 100)"],
                                          outputPath: outputPath)
            servers.append((server, outputPath))
            try server.waitUntilBound(port: port, tcp: false)
        }
        sleep(seconds: 0.3)
        let counter = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: redisPort))
        let before = try commandsProcessed(counter)

        var config = LoadConfig(server: PeerAddress(ipv4: (127, 0, 0, 1), port: port), sessions: sessions,
                                numbersPerSession: options.numbersPerSession)
        config.sockets = options.sockets
        config.openRate = options.openRate
        config.timeLimit = .seconds(Double(sessions) / options.openRate + Double(options.numbersPerSession) + options.slack)
        config.seed = UInt64(sessions) &+ UInt64(count)
        let report: LoadReport
        do {
            report = try LoadGenerator(config: config).run { _ in }
        } catch {
            throw BenchError("load generator: \(error)")
        }
        // Counted before the servers stop: whatever they still write after is not the sessions' cost.
        let redisCommands = try commandsProcessed(counter) - before - 1
        let redisCPU = redis.cpuSeconds ?? 0
        var data: UInt64 = 0, late: UInt64 = 0, adopted = 0, cpu = 0.0
        for (server, path) in servers {
            cpu += server.cpuSeconds ?? 0
            server.stop()
            let output = readTextFile(path) ?? ""
            let counters = Scale.parseServerCounters(output)
            data += counters.data ?? 0
            late += counters.late ?? 0
            if let line = output.split(separator: "\n").first(where: { $0.contains("store: ") }) {
                adopted += Int(Scale.number(before: ", races lost", in: line) ?? 0)
            }
        }
        return SharedScaleStep(sessions: sessions, servers: count, report: report, dataSent: data, lateSends: late,
                               redisCommands: redisCommands, adopted: adopted, serverCPUSeconds: cpu, redisCPUSeconds: redisCPU,
                               numbersPerSession: options.numbersPerSession)
    }
}
