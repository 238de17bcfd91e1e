import NumbersCLI
import NumbersProtocol

func durationList(_ text: String) -> Result<[Nanoseconds], BenchError> {
    parseList(text, { try? FlagDuration(parsing: $0) }, { $0.nanoseconds >= 1_000 && $0.nanoseconds <= 20_000_000_000 ? nil : "must be between 1us and 20s" })
        .map { $0.map { Nanoseconds($0.nanoseconds) } }
}

func sizeList(_ text: String) -> Result<[TransferSize], BenchError> {
    parseList(text, { TransferSize(parsing: $0) }, { _ in nil })
}

func listCheck<T>(_ parse: @escaping (String) -> Result<[T], BenchError>) -> (String) -> String? {
    { text in if case .failure(let error) = parse(text) { return error.description }; return nil }
}

/// `numbers-bench efficiency`: the loss grid over the deterministic simulation.
func makeEfficiencyCommand(_ flags: FlagSet) -> Command {
    let json = flags.bool("json", usage: "print the grid as JSON (settings, cells, wall_s)")
    let roundTrips = flags.string("rtt", default: "10ms,100ms", usage: "comma-separated round-trip `times` (half of each is added to each direction)",
                                  validate: listCheck(durationList))
    let losses = flags.string("p", default: "0,0.01,0.05,0.1,0.2,0.3,0.4,0.5", usage: "comma-separated loss `rates`, applied to every datagram both ways",
                              validate: lossListCheck)
    let sizes = flags.string("sizes", default: "65535x1,1000000x294", usage: "comma-separated transfer `sizes`, n x numbers per DATA",
                             validate: listCheck(sizeList))
    let seeds = flags.int("seeds", default: 20, usage: "seeds the mean is taken over (1, 2, …, seeds)",
                          validate: { (1...1_000).contains($0) ? nil : "must be between 1 and 1000" })
    let tailSeeds = flags.int("tailSeeds", default: 100, usage: "seeds the 99th percentile is taken over (1, 2, …, tailSeeds)",
                              validate: { (1...1_000).contains($0) ? nil : "must be between 1 and 1000" })
    let window = flags.uint32("window", default: 65_536, usage: "the server's window in numbers",
                              validate: { (Limits.minWindow...Limits.maxWindow).contains($0) ? nil : "must be between \(Limits.minWindow) and \(Limits.maxWindow)" })
    let threads = flags.int("threads", default: ParallelRuns.processorCount, usage: "simulations run at once (default: one per core)",
                            validate: { (1...256).contains($0) ? nil : "must be between 1 and 256" })
    return Command(flags: flags) {
        var options = LossGridOptions()
        options.roundTrips = try! durationList(roundTrips.value).get()
        options.losses = try! lossList(losses.value).get()
        options.sizes = try! sizeList(sizes.value).get()
        options.seeds = seeds.value; options.tailSeeds = tailSeeds.value
        options.window = window.value; options.threads = threads.value
        let (cells, wall) = LossGrid.run(options: options)
        emit(LossGrid.json(cells, options: options, wallSeconds: wall), asJSON: json.value, text: LossGrid.table(cells, wallSeconds: wall))
        return cells.allSatisfy(\.allPassed) ? 0 : 1
    }
}
