using System.CommandLine;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Snapshots.Cli.Api;

namespace Snapshots.Cli.Commands;

/// <summary>
/// <c>snapshots import &lt;zip|folder&gt; &lt;name&gt; [--into projectId] [--share]</c>: a Konfuzio export (folder or zip) becomes a new
/// project; a snapshot zip is restored into a new project or merged into <c>--into</c>.
/// </summary>
public static class ImportCommand
{
    public static Command Build(CommandRunner run)
    {
        var path = new Argument<string>("path") { Description = "A Konfuzio project export folder, or a zip of one, or a snapshot zip" };
        var name = new Argument<string>("name") { Description = "Name of the new project" };
        var into = new Option<string?>("--into") { Description = "Merge a snapshot zip into this existing project" };
        var share = new Option<bool>("--share")
        {
            Description = "Snapshot zips: keep the uploaded archive restorable by identifier from environments sharing the snapshot storage (by default it is private and deleted after its restore)",
        };
        var command = new Command("import", "Import a Konfuzio export or a snapshot zip as a project") { path, name, into, share };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var source = parse.GetValue(path)!;
            var (zipPath, temporary) = await ZipOfAsync(source, cancellationToken);
            try
            {
                var uri = $"api/imports?name={Uri.EscapeDataString(parse.GetValue(name)!)}" +
                    (parse.GetValue(into) is { Length: > 0 } target ? $"&into={Uri.EscapeDataString(target)}" : "") +
                    (parse.GetValue(share) ? "&share=true" : "");
                var accepted = await context.Console.WithProgressAsync("Uploading", async bar =>
                {
                    await using var file = File.OpenRead(zipPath);
                    var shown = Path.GetFileName(Path.TrimEndingDirectorySeparator(source));
                    await using var counted = new ProgressStream(file, done => bar.Report((shown, done, file.Length)));
                    return await context.Api.PostFileAsync(uri, counted, "application/zip", cancellationToken);
                });

                var statusUri = accepted.RequiredString("statusUri");
                var projectId = accepted.RequiredString("projectId");
                await context.Console.WithProgressAsync("Importing", bar =>
                    context.Waiter.WaitAsync(statusUri, Output.CliConsole.ForOperation(bar), cancellationToken));

                var project = await context.Api.GetAsync($"api/projects/{projectId}", cancellationToken);
                context.Console.Result(project, () =>
                {
                    context.Console.Line($"Imported project {projectId} ({project["name"]})");
                    context.Console.Table("Counts", ProjectCommand.CountRows(project));
                });
            }
            finally
            {
                if (temporary)
                {
                    File.Delete(zipPath);
                }
            }
        }));
        return command;
    }

    /// <summary>A folder is packed into a temporary zip (streamed to disk, entries relative with '/').</summary>
    private static async Task<(string Path, bool Temporary)> ZipOfAsync(string source, CancellationToken cancellationToken)
    {
        if (File.Exists(source))
        {
            return (source, false);
        }

        if (!Directory.Exists(source))
        {
            throw new CliInputException($"{source}: no such file or folder");
        }

        var zipPath = Path.Combine(Path.GetTempPath(), $"snapshots-import-{Guid.NewGuid():N}.zip");
        await ZipFile.CreateFromDirectoryAsync(source, zipPath, CompressionLevel.Fastest, includeBaseDirectory: false, cancellationToken: cancellationToken);
        return (zipPath, true);
    }
}

/// <summary>Counts bytes read through it, for the upload progress bar.</summary>
internal sealed class ProgressStream(Stream inner, Action<long> report) : Stream
{
    private long done;

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(int read)
    {
        done += read;
        report(done);
        return read;
    }
}

internal static class JsonText
{
    public static string Of(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value => value.ToString(),
        _ => node.ToJsonString(),
    };
}
