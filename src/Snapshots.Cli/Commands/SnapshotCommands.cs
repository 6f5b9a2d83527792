using System.IO.Compression;
using System.CommandLine;
using System.Text.Json.Nodes;

namespace Snapshots.Cli.Commands;

/// <summary>create, list, download and delete snapshots.</summary>
public static class SnapshotCommands
{
    public static Command Create(CommandRunner run)
    {
        var project = new Argument<string>("projectId");
        var modes = new Option<string[]>("--mode") { Description = "dataset and/or ai (repeat the option for both)", Required = true, AllowMultipleArgumentsPerToken = true };
        modes.AcceptOnlyFromAmong("dataset", "ai");
        var description = new Option<string?>("--description");
        var selection = new SelectionOptions();
        var command = new Command("create", "Create a snapshot of a project and wait until it is created") { project, modes, description };
        selection.AddTo(command);
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var created = await context.Api.PostJsonAsync($"api/projects/{Uri.EscapeDataString(parse.GetValue(project)!)}/snapshots",
                new { modes = parse.GetValue(modes), description = parse.GetValue(description), select = selection.Select(parse) }, cancellationToken);
            var id = created["id"]!.GetValue<string>();
            var snapshot = await context.Console.WithProgressAsync("Creating snapshot", bar => WaitCreatedAsync(context, id, bar, cancellationToken));
            context.Console.Result(snapshot, () =>
                context.Console.Line($"Snapshot {id} created: identifier {snapshot["identifier"]}, {snapshot["bytes"]} bytes"));
        }));
        return command;
    }

    public static Command List(CommandRunner run)
    {
        var project = new Argument<string>("projectId");
        var command = new Command("list", "List a project's snapshots, newest first") { project };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var page = await context.Api.GetAsync($"api/projects/{Uri.EscapeDataString(parse.GetValue(project)!)}/snapshots?pageSize=1000", cancellationToken);
            context.Console.Result(page, () =>
            {
                foreach (var snapshot in page["items"]!.AsArray().OfType<JsonObject>())
                {
                    context.Console.Line($"{snapshot["id"]}  {snapshot["createdAt"]}  {snapshot["statusText"]}  [{string.Join(",", snapshot["modes"]!.AsArray())}]  {snapshot["identifier"]}  {snapshot["description"]}");
                }
            });
        }));
        return command;
    }

    public static Command Download(CommandRunner run)
    {
        var snapshot = new Argument<string>("snapshotId");
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Where to write it: a .zip file, or (with --format konfuzio) a folder to unpack the Konfuzio project into (default: the file name the service gives)",
        };
        var format = new Option<string>("--format")
        {
            Description = "snapshot: the archive as stored (restorable anywhere); konfuzio: a Konfuzio SDK project folder (data_<projectId>/, current layout)",
            DefaultValueFactory = _ => "snapshot",
        };
        format.AcceptOnlyFromAmong("snapshot", "konfuzio");
        var command = new Command("download", "Download a snapshot as a zip, or as a Konfuzio SDK project") { snapshot, output, format };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var konfuzio = parse.GetValue(format) == "konfuzio";
            if (konfuzio && parse.GetValue(output) is { } folder && !folder.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
                && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            {
                // Files of an earlier export would stay beside the new ones, and the SDK would load them.
                throw new CliInputException($"{folder}: the folder is not empty; unpack into a new or empty folder");
            }

            var temporary = Path.Combine(Path.GetTempPath(), $"snapshots-download-{Guid.NewGuid():N}.zip");
            string? suggested;
            await using (var file = File.Create(temporary))
            {
                suggested = await context.Console.WithProgressAsync("Downloading", bar => context.Api.DownloadAsync(
                    $"api/snapshots/{Uri.EscapeDataString(parse.GetValue(snapshot)!)}/download" + (konfuzio ? "?format=konfuzio" : ""), file,
                    new Output.SynchronousProgress<(long Done, long? Total)>(p => bar.Report(("download", p.Done, p.Total ?? p.Done))), cancellationToken));
            }

            var destination = parse.GetValue(output) ?? suggested ?? $"{parse.GetValue(snapshot)}.zip";
            if (konfuzio && !destination.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                // A folder the SDK loads with Project(id_=None, project_folder=<folder>/data_<projectId>).
                await ZipFile.ExtractToDirectoryAsync(temporary, destination, overwriteFiles: true, cancellationToken);
                File.Delete(temporary);
            }
            else
            {
                File.Move(temporary, destination, overwrite: true);
            }

            context.Console.Result(new JsonObject { ["file"] = Path.GetFullPath(destination) }, () => context.Console.Line($"Saved {destination}"));
        }));
        return command;
    }

    public static Command Delete(CommandRunner run)
    {
        var snapshot = new Argument<string>("snapshotId");
        var command = new Command("delete", "Delete a snapshot for good (projects restored from it keep their data)") { snapshot };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            await context.Api.DeleteAsync($"api/snapshots/{Uri.EscapeDataString(parse.GetValue(snapshot)!)}", cancellationToken);
            context.Console.Result(new JsonObject { ["deleted"] = parse.GetValue(snapshot) }, () => context.Console.Line($"Deleted snapshot {parse.GetValue(snapshot)}"));
        }));
        return command;
    }

    private static async Task<JsonObject> WaitCreatedAsync(CliContext context, string id, IProgress<(string Stage, double Done, double Total)> bar, CancellationToken cancellationToken)
    {
        await context.Waiter.WaitAsync($"api/operations/{id}", Output.CliConsole.ForOperation(bar), cancellationToken);
        return await context.Api.GetAsync($"api/snapshots/{id}", cancellationToken);
    }
}
