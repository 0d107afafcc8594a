extension Planner {
    /// The version of Stowage this library is (the CLI's `stowage --version`).
    public static let version = "0.1.0"
}
