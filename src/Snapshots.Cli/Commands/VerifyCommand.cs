using System.CommandLine;
using Snapshots.Archive;
using Snapshots.Imports;

namespace Snapshots.Cli.Commands;

/// <summary>
/// <c>snapshots verify &lt;zip&gt;</c>, offline: format version, manifest, every checksum and the counts.
/// Exit 0 when the archive is sound, 1 with the first problem otherwise.
/// </summary>
public static class VerifyCommand
{
    public static Command Build(CliEnvironment environment)
    {
        var path = new Argument<string>("zip") { Description = "A snapshot archive" };
        var command = new Command("verify", "Check a snapshot zip offline: format, manifest, checksums, counts, and that its content holds together (every line parses, ids are unique, references resolve)") { path };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(path)!;
            if (!File.Exists(file))
            {
                await environment.Error.WriteLineAsync($"error: {file}: no such file");
                return ExitCodes.Failed;
            }

            try
            {
                using var archive = SnapshotArchiveReader.Open(File.OpenRead(file), new ImportOptions());
                await archive.VerifyAsync(cancellationToken);
                var manifest = archive.Manifest;
                var counts = manifest.Counts;
                await environment.Out.WriteLineAsync(
                    $"OK: snapshot {manifest.Identifier} of '{manifest.Source.ProjectName}' from {manifest.Source.Environment}, format {manifest.Format} v{manifest.Version}, " +
                    $"{archive.VerifiedEntries} entries verified; {counts.Documents} documents, {counts.Annotations} annotations, {counts.Labels} labels, " +
                    $"{counts.Ais} AIs, {counts.Files} files.");
                foreach (var warning in manifest.Warnings)
                {
                    await environment.Out.WriteLineAsync($"warning: {warning}");
                }

                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is ArchiveValidationException or ArchiveTooLargeException)
            {
                await environment.Error.WriteLineAsync($"error: {file}: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
