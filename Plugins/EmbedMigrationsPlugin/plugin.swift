import Foundation
import PackagePlugin

/// Embeds the package's `migrations/…/*.sql` into the target that owns them, as Swift source:
/// - `Ledger`: `migrations/ledger/` (the log's schema on SQLite), as `Migration.embedded`;
/// - `PostgresStore`: `migrations/postgres/ledger/` (the log and instance coordination), as `Migration.embedded`;
/// - `Projections`: `migrations/projections/` and `migrations/postgres/projections/` (the read
///   models' schema in each dialect), as `Migration.projectionsSQLite` and `.projectionsPostgres`.
///
/// Why a plugin and not a resource bundle: `swift run ledger` from the repository and a release
/// binary copied to another machine must both find their schema, and a binary that carries its
/// migrations cannot be paired with the wrong ones.
@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    /// Per target: the directory, the generated list's name, and whether the target must import `Ledger`.
    private static let sets: [String: [(directory: String, name: String)]] = [
        "Ledger": [("migrations/ledger", "embedded")],
        "PostgresStore": [("migrations/postgres/ledger", "embedded")],
        "Projections": [("migrations/projections", "projectionsSQLite"), ("migrations/postgres/projections", "projectionsPostgres")],
    ]

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        try (Self.sets[target.name] ?? []).map { set in
            let directory = context.package.directoryURL.appending(path: set.directory)
            let files = try FileManager.default
                .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations-\(set.name).swift")
            // Outside the Ledger module the generated code imports it (Migration lives there).
            let imports = target.name == "Ledger" ? [] : ["--import", "Ledger"]
            return .buildCommand(
                displayName: "Embedding \(files.count) migrations into \(target.name) as \(set.name)",
                executable: try context.tool(named: "EmbedMigrations").url,
                arguments: [output.path()] + imports + ["--name", set.name] + files.map { $0.path() },
                inputFiles: files,
                outputFiles: [output]
            )
        }
    }
}
