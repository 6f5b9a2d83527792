using System.CommandLine;
using System.Text.Json.Nodes;
using Snapshots.Archive;
using Snapshots.Cli.Api;
using Snapshots.Imports;

namespace Snapshots.Cli.Commands;

/// <summary>
/// <c>snapshots verify &lt;zip&gt;</c>, offline: format version, manifest, every checksum and the counts; or
/// <c>snapshots verify &lt;snapshotId&gt; [--drill]</c>: the service re-reads the stored archive (and with --drill
/// restores it into a hidden project and compares it). Exit 0 when sound, 1 with the first problem otherwise.
/// </summary>
public static class VerifyCommand
{
    public static Command Build(CliEnvironment environment, CommandRunner run)
    {
        var target = new Argument<string>("zipOrSnapshotId") { Description = "A snapshot zip (checked here, offline) or a snapshot id (checked by the service)" };
        var drill = new Option<bool>("--drill") { Description = "Snapshot id only: also restore it into a hidden scratch project, compare every entity with the archive, and delete the project" };
        var command = new Command("verify",
            "Check a snapshot zip offline (format, manifest, checksums, counts, content), or have the service verify a stored snapshot") { target, drill };
        var online = run(VerifyStoredAsync);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var value = parse.GetValue(target)!;
            if (!IsZip(value))
            {
                return await online(parse, cancellationToken);
            }

            if (parse.GetValue(drill))
            {
                await environment.Error.WriteLineAsync("error: --drill needs a snapshot id: a drill restores the snapshot in the service");
                return ExitCodes.Usage;
            }

            return await VerifyZipAsync(environment, value, cancellationToken);
        });
        return command;

        async Task VerifyStoredAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
        {
            var snapshotId = Uri.EscapeDataString(parse.GetValue(target)!);
            var mode = parse.GetValue(drill) ? "drill" : "checksums";
            var started = await context.Api.PostJsonAsync($"api/snapshots/{snapshotId}/verify", new { mode }, cancellationToken);
            var id = started["verification"]?["id"]?.GetValue<string>();
            var verification = await context.Console.WithProgressAsync($"Verifying ({mode})", async _ =>
            {
                while (true)
                {
                    var snapshot = await context.Api.GetAsync($"api/snapshots/{snapshotId}", cancellationToken);
                    if (snapshot["verification"] is JsonObject latest && latest["id"]?.GetValue<string>() == id && latest["status"]?.GetValue<string>() != "running")
                    {
                        return latest;
                    }

                    await Task.Delay(context.PollInterval, cancellationToken);
                }
            });
            if (verification["status"]?.GetValue<string>() != "passed")
            {
                var failures = verification["failures"]?.AsArray().Select(f => f!.GetValue<string>()).ToList() ?? [];
                throw new OperationFailedException($"verification failed: {(failures.Count > 0 ? string.Join("; ", failures) : "no reason given")}");
            }

            context.Console.Result(verification, () => context.Console.Line(
                $"OK: snapshot {parse.GetValue(target)} verified ({mode}): {verification["entries"]} entries in {verification["durationSeconds"]} s."));
        }
    }

    private static bool IsZip(string value) => File.Exists(value) || value.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || value.Contains('/') || value.Contains('\\');

    private static async Task<int> VerifyZipAsync(CliEnvironment environment, string file, CancellationToken cancellationToken)
    {
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
    }
}
