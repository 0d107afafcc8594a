extension PortfolioOptions {
    /// Seconds a caller that read the problem from a file keeps from its
    /// limit for validating and writing the answer (`stowage alloc`, and the
    /// benchmark that times it), scaled from the time reading took in this
    /// run, so that it follows both the input's size and the machine's load.
    /// At 196,673 buffers under two spinning threads (load ~4.5) validating
    /// and writing took 0.58-0.70 of the read (1.38-1.45 s); the portfolio
    /// can also end a few tenths late (a pass's sort and index set-up do not
    /// look at the deadline: 0.8 of the read plus 0.05 s was 0.03-0.06 s late
    /// at --time-limit 3; the whole read plus 0.1 s, with the portfolio
    /// starting no pass in its last cheap-pass time, was still 0.03-0.07 s
    /// late in 2 of 4 runs at load ~2.5). Hence the whole read time plus 0.25 s.
    public static func outputReserve(readSeconds: Double) -> Double {
        0.25 + max(0, readSeconds)
    }
}
