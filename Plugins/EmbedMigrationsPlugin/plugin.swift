import Foundation
import PackagePlugin

/// Embeds the package's `migrations/*.sql` into the target as Swift source — for the
/// `PostgresStore` target, `migrations/postgres/*.sql`, the same schema in PostgreSQL's dialect.
///
/// Why a plugin and not a resource bundle: `swift run ledger` from the repository and a release
/// binary copied to another machine must both find their schema, and a binary that carries its
/// migrations cannot be paired with the wrong ones.
@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let postgres = target.name == "PostgresStore"
        let directory = context.package.directoryURL.appending(path: postgres ? "migrations/postgres" : "migrations")
        let files = try FileManager.default
            .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migrations into \(target.name)",
                executable: try context.tool(named: "EmbedMigrations").url,
                // Outside the Ledger module the generated code imports it (Migration lives there).
                arguments: [output.path()] + (postgres ? ["--import", "Ledger"] : []) + files.map { $0.path() },
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
